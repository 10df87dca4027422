#pragma once
// A small, learnable probing task written as NeuroX files (HDF5 activations, words, labels) for
// the data-diagnostics tests: every token's label (A/B) is readable from every layer, and each
// layer has its own activation scale, so tests can plant layer-scale differences, mismatched
// lines and malformed files.
#include "salient/io/activationstore.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>
#include <random>
#include <vector>

namespace salient::test {

struct TaskFiles {
    QString activations, words, labels;
};

/**
 * Writes DIR/NAME.hdf5, DIR/NAME.words.txt, DIR/NAME.labels.txt: @p sentences sentences of 3..7
 * words; every neuron of layer l holds layerScale[l] · (±1 by label + N(0, 0.5) noise), 4 dims
 * per layer. Deterministic in @p seed. Returns the paths. Throws salient::Error (HDF5 writing).
 */
inline TaskFiles writeTaskFiles(const QString &dir, const QString &name, int sentences,
                                const std::vector<double> &layerScale, unsigned seed = 3)
{
    const int layers = int(layerScale.size()), dims = 4;
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.5);
    std::vector<RowMatrixF> acts;
    QStringList texts;
    QByteArray words, labels;
    for (int s = 0; s < sentences; ++s) {
        const int n = 3 + int(rng() % 5);
        RowMatrixF m(n, layers * dims);
        QStringList w, l;
        for (int i = 0; i < n; ++i) {
            const bool a = rng() % 2 == 0;
            w << QStringLiteral("%1%2")
                     .arg(a ? QStringLiteral("the") : QStringLiteral("run"))
                     .arg(i);
            l << (a ? QStringLiteral("A") : QStringLiteral("B"));
            for (int k = 0; k < layers; ++k)
                for (int d = 0; d < dims; ++d)
                    m(i, k * dims + d) =
                        float(layerScale[size_t(k)] * ((a ? 1.0 : -1.0) + noise(rng)));
        }
        acts.push_back(std::move(m));
        texts << w.join(QLatin1Char(' '));
        words += w.join(QLatin1Char(' ')).toUtf8() + '\n';
        labels += l.join(QLatin1Char(' ')).toUtf8() + '\n';
    }
    TaskFiles f;
    const QString base = QDir(dir).filePath(name);
    f.activations = base + QStringLiteral(".hdf5");
    f.words = base + QStringLiteral(".words.txt");
    f.labels = base + QStringLiteral(".labels.txt");
    writeNeuroxHdf5(f.activations, layers, dims, acts, texts);
    for (const auto &[path, bytes] : {std::pair{f.words, words}, std::pair{f.labels, labels}}) {
        QFile out(path);
        if (out.open(QIODevice::WriteOnly))
            out.write(bytes);
    }
    return f;
}

/**
 * Rewrites text file @p path with one extra token "extra" at the end of each 1-based line in
 * @p lines (so those lines have one word more than labels and activation rows), and @p suffix
 * appended to the whole file. Returns false when the file cannot be rewritten.
 */
inline bool addTokens(const QString &path, const std::vector<int> &lines,
                      const QByteArray &suffix = {})
{
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return false;
    QList<QByteArray> text = in.readAll().split('\n');
    in.close();
    for (int line : lines)
        if (line >= 1 && line <= text.size())
            text[line - 1] += " extra";
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    out.write(text.join('\n') + suffix);
    return true;
}

} // namespace salient::test
