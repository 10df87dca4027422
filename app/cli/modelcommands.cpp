// Helpers shared by the model commands of salient-cli (extract.cpp, live.cpp, intervene.cpp):
// the --model / --tokenizer options, throttled progress lines and JSON output. See cli_p.h.
#include "cli_p.h"

#include <QJsonDocument>
#include <cstdio>

namespace cli {

void addModelOptions(QCommandLineParser &p, const QString &modelHelp)
{
    p.addOption({QStringLiteral("model"),
                 modelHelp.isEmpty()
                     ? QStringLiteral("Hugging Face checkpoint folder, or llama2.c .bin file")
                     : modelHelp,
                 QStringLiteral("DIR|FILE")});
    p.addOption({QStringLiteral("tokenizer"),
                 QStringLiteral("llama2.c tokenizer.bin (default: tokenizer.bin beside the model)"),
                 QStringLiteral("FILE")});
}

QJsonArray intArray(const std::vector<int> &v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

void printJson(const QJsonObject &json)
{
    std::fputs(QJsonDocument(json).toJson(QJsonDocument::Indented).constData(), stdout);
    std::fflush(stdout);
}

ProgressThrottle::ProgressThrottle()
{
    m_clock.start();
}

bool ProgressThrottle::due(salient::Index done, salient::Index total)
{
    const qint64 now = m_clock.elapsed();
    if (m_last >= 0 && now - m_last < 1000 && done != total)
        return false;
    m_last = now;
    return true;
}

double ProgressThrottle::seconds() const
{
    return m_last / 1000.0;
}

} // namespace cli
