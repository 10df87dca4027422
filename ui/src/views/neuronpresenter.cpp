#include "salient/ui/views/neuronpresenter.h"

#include "salient/session/results.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/wordactivationview.h"

#include <algorithm>
#include <memory>

namespace salient::ui {

namespace {

struct ProfileResult {
    NeuronSummary summary;
    NeuronProfile profile;
    WordActivationData words;
};

} // namespace

NeuronPresenter::NeuronPresenter(SessionController *controller, JobRunner *jobs,
                                 NeuronInspector *inspector, WordActivationView *words,
                                 QObject *parent)
    : QObject(parent), m_controller(controller), m_jobs(jobs), m_inspector(inspector),
      m_words(words)
{
    connect(controller, &SessionController::neuronSelected, this, &NeuronPresenter::show);
    m_words->setEmptyText(emptyWordsText());
    connect(controller, &SessionController::dataLoaded, this, [this] {
        ++m_request;
        m_pending = false;
        m_inspector->setBusy(false);
        m_inspector->clear();
        m_words->setData({});
        m_words->setEmptyText(emptyWordsText());
    });
    // A top sentence activated in the inspector scrolls the word view to it.
    connect(inspector, &NeuronInspector::sentenceActivated, this, [this](qint64 record) {
        const auto &sentences = m_words->data().sentences;
        for (size_t i = 0; i < sentences.size(); ++i)
            if (sentences[i].record == record)
                m_words->ensureSentenceVisible(int(i));
    });
    connect(inspector, &NeuronInspector::minWordCountChanged, this,
            &NeuronPresenter::setMinWordCount);
    // Without the probe the inspector still shows the activations, but no weights or ranks.
    connect(controller, &SessionController::resultInvalidated, this, [this](const QString &name) {
        if (name == QLatin1String("probe"))
            show(m_controller->selectedColumn());
    });
}

void NeuronPresenter::setMinWordCount(int count)
{
    count = std::max(1, count);
    if (count == m_minWordCount)
        return;
    m_minWordCount = count;
    if (m_controller->selectedColumn() >= 0)
        show(m_controller->selectedColumn());
}

QString NeuronPresenter::emptyWordsText() const
{
    if (!m_controller->task())
        return tr("Load data (File › Open data files, or the built-in demo), train a probe and "
                  "select a neuron to see its activation on every word.");
    return m_controller->probe()
               ? tr("Select a neuron (click the heatmap) to colour every word by its activation.")
               : tr("Train a probe (Run › Train probe), then select a neuron in the heatmap to "
                    "colour every word by its activation.");
}

void NeuronPresenter::show(int column)
{
    const quint64 request = ++m_request;
    if (column < 0 || !m_controller->task() || !m_controller->task()->train) {
        m_pending = false;
        m_inspector->setBusy(false);
        m_inspector->clear();
        m_words->setData({});
        m_words->setEmptyText(emptyWordsText());
        return;
    }
    m_pending = true;
    m_inspector->setBusy(true);
    // The job shares the data and the probe report (immutable; kept alive if replaced meanwhile).
    const std::shared_ptr<const LoadedTask> task = m_controller->sharedTask();
    const quint64 generation = m_controller->dataGeneration();
    std::shared_ptr<const ProbeReport> probe;
    if (auto r = m_controller->sharedResult(QStringLiteral("probe")))
        if (const auto *p = std::get_if<ProbeReport>(r.get()))
            probe = std::shared_ptr<const ProbeReport>(r, p); // aliasing: no copy
    const NeuronId id = m_controller->layout().neuron(column);
    const QString title = tr("Layer %1 · unit %2: most positive and most negative sentences")
                              .arg(id.layer)
                              .arg(id.unit);
    const int minCount = m_minWordCount;
    auto result = std::make_shared<ProfileResult>();
    m_jobs->start(
        tr("Profile of layer %1 · unit %2").arg(id.layer).arg(id.unit),
        [task, probe, column, title, minCount, result](JobContext &) {
            const Dataset &ds = *task->train;
            if (probe)
                result->summary = neuronSummary(*probe, column);
            else {
                result->summary.id = NeuronLayout::of(ds).neuron(column);
                result->summary.column = column;
                result->summary.flatIndex = NeuronLayout::of(ds).flatIndex(column);
            }
            if (ds.storage != StorageMode::Float32) {
                result->words.title =
                    QObject::tr("Per-word activations need the activations in memory as "
                                "float32; this data is held as %1. Reload it with storage "
                                "\"In memory, float32\".")
                        .arg(storageModeName(ds.storage));
                return JobStatus::Ok;
            }
            NeuronProfileOptions po;
            po.words.maxWords = 20;
            po.words.minCount = minCount;
            po.sentences.count = 12;
            po.negativeSentences = 12;
            const bool labels = !task->vocab.names.isEmpty();
            result->profile = neuronProfile(ds, column, labels ? &task->vocab : nullptr, po);
            result->words = wordDataFromExtremeSentences(ds, column, result->profile.sentences,
                                                         result->profile.negativeSentences,
                                                         labels ? &task->vocab : nullptr);
            result->words.title = title;
            return JobStatus::Ok;
        },
        [this, request, generation, column, result](JobStatus status, const QString &message) {
            if (request != m_request || generation != m_controller->dataGeneration()) {
                ++m_stale;
                return;
            }
            m_pending = false;
            m_inspector->setBusy(false);
            if (status != JobStatus::Ok) {
                if (status != JobStatus::Cancelled)
                    Q_EMIT failed(tr("Neuron profile failed: %1").arg(message));
                return;
            }
            m_inspector->setNeuron(result->summary, result->profile);
            m_words->setData(std::move(result->words));
            Q_EMIT profileReady(column);
        },
        JobRunner::Lane::Interactive);
}

} // namespace salient::ui
