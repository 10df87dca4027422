// The WordActivationData builders: a neuron's activations per word from a Dataset, for all
// sentences or the top sentences. Errors are salient::Error.
#include "salient/ui/views/wordactivationview.h"

#include "salient/util/error.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <vector>

namespace salient::ui {

namespace {

std::map<Index, std::vector<Index>> rowsByRecord(const Dataset &ds, int column)
{
    if (column < 0 || column >= ds.neurons())
        throw Error(QStringLiteral("Column %1 is out of range (the dataset has %2 neurons).")
                        .arg(column)
                        .arg(ds.neurons()));
    if (Index(ds.rowSentence.size()) != ds.rows() || Index(ds.rowToken.size()) != ds.rows())
        throw Error(QStringLiteral("The dataset has no per-row sentence and token metadata."));
    std::map<Index, std::vector<Index>> byRecord;
    for (Index r = 0; r < ds.rows(); ++r)
        byRecord[ds.rowSentence[size_t(r)]].push_back(r);
    return byRecord;
}

QString labelOf(const Dataset &ds, Index row, const LabelVocabulary &vocab)
{
    const int y = ds.y[row];
    return y >= 0 && y < vocab.size() ? vocab.names[y] : QStringLiteral("?");
}

QString neuronTitle(const Dataset &ds, int column)
{
    if (ds.dims > 0 && size_t(column / ds.dims) < ds.layerIds.size())
        return QStringLiteral("Layer %1 \u00b7 neuron %2")
            .arg(ds.layerIds[size_t(column / ds.dims)])
            .arg(column % ds.dims);
    return QStringLiteral("Neuron %1").arg(column);
}

} // namespace

WordActivationData wordDataFromDataset(const Dataset &ds, int column,
                                       const std::vector<Index> &records,
                                       const LabelVocabulary *vocab)
{
    WordActivationData out;
    if (ds.storage != StorageMode::Float32) { // rows are float16 or on disk: nothing to show here
        out.title =
            QObject::tr(
                "Per-word activations need the activations in memory as float32 (held as %1)")
                .arg(storageModeName(ds.storage));
        return out;
    }
    const auto byRecord = rowsByRecord(ds, column);
    const bool labels = vocab && ds.y.size() == ds.rows();
    out.title = neuronTitle(ds, column);
    for (Index record : records) {
        const auto it = byRecord.find(record);
        if (it == byRecord.end())
            continue;
        WordSentence s;
        s.record = record;
        for (Index r : it->second) {
            s.tokens << ds.rowToken[size_t(r)];
            s.activations << ds.X(r, column);
            s.rows << int(r);
            if (labels)
                s.labels << labelOf(ds, r, *vocab);
        }
        out.sentences.push_back(std::move(s));
    }
    return out;
}

WordActivationData wordDataFromTopSentences(const Dataset &ds, int column,
                                            const std::vector<SentenceActivation> &top,
                                            const LabelVocabulary *vocab)
{
    WordActivationData out;
    if (ds.storage != StorageMode::Float32) { // rows are float16 or on disk: nothing to show here
        out.title =
            QObject::tr(
                "Per-word activations need the activations in memory as float32 (held as %1)")
                .arg(storageModeName(ds.storage));
        return out;
    }
    const auto byRecord = rowsByRecord(ds, column);
    const bool labels = vocab && ds.y.size() == ds.rows();
    out.title = neuronTitle(ds, column);
    for (const SentenceActivation &t : top) {
        WordSentence s;
        s.record = t.sentence;
        s.tokens = t.tokens;
        s.activations = QVector<float>(t.activations.begin(), t.activations.end());
        const auto it = byRecord.find(t.sentence);
        if (it != byRecord.end() && it->second.size() == size_t(t.tokens.size())) {
            for (Index r : it->second) {
                s.rows << int(r);
                if (labels)
                    s.labels << labelOf(ds, r, *vocab);
            }
        }
        out.sentences.push_back(std::move(s));
    }
    return out;
}

WordActivationData wordDataFromExtremeSentences(const Dataset &ds, int column,
                                                const std::vector<SentenceActivation> &positive,
                                                const std::vector<SentenceActivation> &negative,
                                                const LabelVocabulary *vocab)
{
    WordActivationData out = wordDataFromTopSentences(ds, column, positive, vocab);
    if (out.sentences.size() != positive.size()) // not float32: only the explanation
        return out;
    WordActivationData low = wordDataFromTopSentences(ds, column, negative, vocab);
    for (std::size_t i = 0; i < out.sentences.size(); ++i)
        out.sentences[i].group = QObject::tr("most positive %1").arg(i + 1);
    for (std::size_t i = 0; i < low.sentences.size(); ++i) {
        low.sentences[i].group = QObject::tr("most negative %1").arg(i + 1);
        out.sentences.push_back(std::move(low.sentences[i]));
    }
    return out;
}

} // namespace salient::ui
