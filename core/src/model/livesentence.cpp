// The live sentence: extraction's path for one line, the loaded columns, the probe and the corpus.
#include "salient/model/livesentence.h"

#include <QElapsedTimer>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace salient::model {

QString liveModeName(LiveMode m)
{
    return m == LiveMode::Words ? QStringLiteral("words") : QStringLiteral("tokens");
}

LiveSentence runLiveSentence(const AttachedModel &m, const QString &text, LiveMode mode,
                             int threads)
{
    const ModelInfo &info = m.model->info();
    LiveSentence s;
    s.mode = mode;
    s.layers = info.layers + 1;
    s.dims = info.hidden;
    s.line = mode == LiveMode::Words ? text.simplified() : text;
    if (s.line.trimmed().isEmpty()) {
        s.X.resize(0, Index(s.layers) * s.dims);
        return s;
    }
    ForwardOptions fwd = m.forwardOptions();
    fwd.threads = threads;
    std::vector<int> layers(size_t(s.layers));
    std::iota(layers.begin(), layers.end(), 0);
    auto tooLong = [&](size_t ids) {
        return Error(QStringLiteral("The sentence has %1 tokens, but %2 accepts at most %3.")
                         .arg(ids)
                         .arg(info.source)
                         .arg(info.maxPositions));
    };
    if (mode == LiveMode::Words) {
        WordAligner aligner(*m.tokenizer);
        const SentenceAlignment a = aligner.align(s.line);
        if (int(a.ids.size()) > info.maxPositions)
            throw tooLong(a.ids.size());
        s.modelTokens = int(a.ids.size());
        const auto states = m.model->forward({a.ids}, fwd);
        s.X = aggregateWords(a, states.front(), layers, m.aggregation(), false);
        s.words = a.words.mid(0, a.keptWords);
        s.droppedWords = int(a.words.size()) - a.keptWords;
        return s;
    }
    const std::vector<int> ids = m.tokenizer->encode(s.line, true);
    if (int(ids.size()) > info.maxPositions)
        throw tooLong(ids.size());
    s.modelTokens = int(ids.size());
    std::vector<int> dropped = m.tokenizer->droppedSpecialIds();
    std::vector<int> positions;
    for (int p = 0; p < int(ids.size()); ++p)
        if (!std::binary_search(dropped.begin(), dropped.end(), ids[size_t(p)]))
            positions.push_back(p);
    const auto states = m.model->forward({ids}, fwd);
    s.X.resize(Index(positions.size()), Index(s.layers) * s.dims);
    for (size_t r = 0; r < positions.size(); ++r) {
        s.words << m.tokenizer->idToToken(ids[size_t(positions[r])]);
        for (int l = 0; l < s.layers; ++l)
            s.X.row(Index(r)).segment(Index(l) * s.dims, s.dims) =
                states.front()[size_t(l)].row(positions[r]);
    }
    return s;
}

LiveEngine::LiveEngine(std::shared_ptr<const AttachedModel> model,
                       std::shared_ptr<const LoadedTask> task)
    : m_model(std::move(model)), m_task(std::move(task))
{
    if (m_task && m_task->train)
        m_layout = NeuronLayout::of(*m_task->train);
    else {
        m_layout.dims = m_model->record.dims;
        m_layout.layerIds.resize(size_t(m_model->record.layers));
        std::iota(m_layout.layerIds.begin(), m_layout.layerIds.end(), 0);
    }
}

void LiveEngine::buildIndex() const
{
    if (!m_task)
        return;
    for (const Dataset *ds : m_task->splits()) {
        if (Index(ds->rowSentence.size()) != ds->rows() || Index(ds->rowToken.size()) != ds->rows())
            continue;
        std::unordered_map<Index, std::vector<Index>> byRecord;
        for (Index r = 0; r < ds->rows(); ++r)
            byRecord[ds->rowSentence[size_t(r)]].push_back(r);
        for (auto &[record, rows] : byRecord) {
            QStringList tokens;
            for (Index r : rows)
                tokens << ds->rowToken[size_t(r)];
            // The first split (train, dev, test order) that has the sentence wins.
            m_index.try_emplace(tokens.join(QLatin1Char(' ')), CorpusHit{ds, record, rows});
        }
    }
}

LiveResult LiveEngine::compute(const QString &text, LiveMode mode, const ProbeReport *probe,
                               int topK, int threads) const
{
    QElapsedTimer clock;
    clock.start();
    LiveResult r;
    r.sentence = runLiveSentence(*m_model, text, mode, threads);
    const LiveSentence &s = r.sentence;
    const NeuronLayout &layout = probe ? probe->layout : m_layout;
    if (layout.dims != s.dims)
        throw Error(QStringLiteral("The loaded neurons have %1 dims per layer, the model %2: the "
                                   "activations do not come from this model.")
                        .arg(layout.dims)
                        .arg(s.dims));
    for (int l : layout.layerIds)
        if (l < 0 || l >= s.layers)
            throw Error(QStringLiteral("The loaded neurons include layer %1, the model has layers "
                                       "0–%2.")
                            .arg(l)
                            .arg(s.layers - 1));
    const Index rows = s.X.rows();
    const int C = layout.columns();
    r.columns.resize(rows, C);
    for (int c = 0; c < C; ++c)
        r.columns.col(c) = s.X.col(layout.flatIndex(c));

    if (probe && rows > 0 && probe->probe.inputs() == C) {
        const MatrixF out = probeOutputs(probe->probe, r.columns);
        if (probe->probe.regression) {
            for (Index i = 0; i < rows; ++i)
                r.value.push_back(double(out(i, 0)));
        } else {
            for (Index i = 0; i < rows; ++i) {
                // Softmax in double, shifted by the row maximum.
                Index best = 0;
                const double top = double(out.row(i).maxCoeff(&best));
                double sum = 0;
                for (Index k = 0; k < out.cols(); ++k)
                    sum += std::exp(double(out(i, k)) - top);
                r.predicted << probe->labels.value(int(best), QStringLiteral("?"));
                r.probability.push_back(1.0 / sum);
            }
        }
    }
    if (probe && topK > 0) {
        const size_t k = std::min(size_t(topK), probe->ordering.size());
        r.topColumns.assign(probe->ordering.begin(), probe->ordering.begin() + Index(k));
    }

    if (mode == LiveMode::Words && m_task && rows > 0) {
        std::call_once(m_indexOnce, [this] { buildIndex(); });
        const auto it = m_index.find(s.words.join(QLatin1Char(' ')));
        if (it != m_index.end()) {
            const CorpusHit &hit = it->second;
            r.goldSplit = hit.split->name;
            r.goldRecord = hit.record;
            const LabelVocabulary &vocab = m_task->vocab;
            if (hit.split->y.size() == hit.split->rows() && vocab.size() > 0)
                for (Index row : hit.rows) {
                    const int y = hit.split->y[row];
                    r.gold << (y >= 0 && y < vocab.size() ? vocab.names[y] : QStringLiteral("?"));
                }
        }
    }
    r.seconds = clock.nsecsElapsed() / 1e9;
    return r;
}

} // namespace salient::model
