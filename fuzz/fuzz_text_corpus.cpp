// libFuzzer target: token/label readers (core/src/data/corpus.cpp readTextColumns) and the
// alignment with activations (buildDataset). Input layout: [option byte] tokens \0 labels. The
// activation store is an in-memory one whose word counts follow the token file, with deliberate
// disagreements and non-finite rows chosen by the option byte.
#include "fuzz_common.h"
#include "salient/data/corpus.h"
#include "salient/util/error.h"

#include <cmath>
#include <cstring>
#include <limits>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    if (size < 1)
        return 0;
    const std::uint8_t opt = data[0];
    ++data;
    --size;
    const auto *sep = static_cast<const std::uint8_t *>(std::memchr(data, 0, size));
    const std::size_t tokSize = sep ? std::size_t(sep - data) : size;
    const QString tokPath = fuzz::writeFile("tokens.txt", data, tokSize);
    const QString labPath = sep ? fuzz::writeFile("labels.txt", sep + 1, size - tokSize - 1)
                                : fuzz::writeFile("labels.txt", data, tokSize);
    TextColumns tokens, labels;
    try {
        tokens = readTextColumns(tokPath);
        labels = readTextColumns(labPath);
    } catch (const Error &) {
        return 0;
    }
    // Activations: 2 layers × 3 dims, words per record = tokens on the line (± option bits).
    constexpr int kLayers = 2, kDims = 3;
    std::vector<RowMatrixF> sentences;
    long long total = 0;
    for (std::size_t i = 0; i < tokens.lines.size(); ++i) {
        int words = int(tokens.lines[i].size());
        if ((opt & 0x01) && i % 3 == 1)
            words += 1; // a mismatched line
        total += words;
        if (total > 100000)
            return 0;
        RowMatrixF m(words, kLayers * kDims);
        for (Index r = 0; r < m.rows(); ++r)
            for (Index c = 0; c < m.cols(); ++c)
                m(r, c) = float((i * 7 + std::size_t(r) * 3 + std::size_t(c)) % 11) - 5.f;
        if ((opt & 0x02) && m.rows() > 0 && i % 4 == 2)
            m(0, 0) = std::numeric_limits<float>::quiet_NaN();
        if ((opt & 0x04) && m.rows() > 1)
            m.row(1).setZero();
        sentences.push_back(std::move(m));
    }
    const MemoryStore store(kLayers, kDims, std::move(sentences));

    DatasetOptions o;
    o.task = (opt & 0x08) ? TaskType::Regression : TaskType::Classification;
    o.ignoreStartToken = opt & 0x10;
    o.sentenceClassification = opt & 0x20;
    o.balance = opt & 0x40;
    if (opt & 0x80) {
        o.layers = {1};
        if (!labels.lines.empty() && !labels.lines.front().isEmpty())
            o.binarizedTag = labels.lines.front().front();
    }
    o.maxMismatches = (opt & 0x01) ? 0 : 100;
    LabelVocabulary vocab;
    try {
        const Dataset train =
            buildDataset(QStringLiteral("train"), store, tokens, labels, o, vocab);
        (void)train;
        if (o.task == TaskType::Classification && !vocab.names.isEmpty()) {
            // The same split as dev with the train vocabulary (unseen-label fallback path).
            LabelVocabulary v2 = vocab;
            v2.names.removeLast();
            v2.trainCounts.resize(size_t(v2.names.size()));
            if (!v2.names.isEmpty()) {
                const Dataset dev =
                    buildDataset(QStringLiteral("dev"), store, tokens, labels, o, v2);
                (void)dev;
            }
        }
    } catch (const Error &) {
    }
    return 0;
}
