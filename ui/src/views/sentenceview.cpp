// The "Try a sentence" view: debounced live requests with a generation counter, the strip of
// top-k neurons, and top contexts from a text file. Core computes; this file only shows.
#include "salient/ui/views/sentenceview.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

namespace salient::ui {

namespace {

constexpr int kCell = 18;     ///< strip cell height (and minimum width)
constexpr int kRowLabel = 84; ///< strip row-label width

QString neuronShort(NeuronId id)
{
    return QStringLiteral("L%1 · %2").arg(id.layer).arg(id.unit);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// LiveStrip

LiveStrip::LiveStrip(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(false);
    setToolTip(tr("The probe's most salient neurons (rows) on each word (columns); click a row "
                  "to select that neuron"));
}

void LiveStrip::setData(const QStringList &rowNames, const std::vector<int> &columns,
                        const QStringList &words, RowMatrixF values)
{
    m_rowNames = rowNames;
    m_columns = columns;
    m_words = words;
    m_values = std::move(values);
    m_limit = 0;
    for (Index i = 0; i < m_values.size(); ++i)
        if (std::isfinite(m_values.data()[i]))
            m_limit = std::max(m_limit, double(std::abs(m_values.data()[i])));
    updateGeometry();
    update();
}

void LiveStrip::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

QColor LiveStrip::cellColour(int row, int word) const
{
    if (row < 0 || row >= m_values.rows() || word < 0 || word >= m_values.cols())
        return {};
    return WordActivationView::activationColour(m_values(row, word), m_limit, m_scheme);
}

void LiveStrip::setColourScheme(WordActivationView::ColourScheme scheme)
{
    m_scheme = scheme;
    update();
}

int LiveStrip::rowAt(const QPoint &pos) const
{
    const int row = (pos.y() - kCell) / kCell; // the first line holds the words
    return pos.y() >= kCell && row < rows() ? row : -1;
}

QSize LiveStrip::sizeHint() const
{
    return {kRowLabel + std::max(1, int(m_words.size())) * 4 * kCell, (rows() + 1) * kCell + 2};
}

QSize LiveStrip::minimumSizeHint() const
{
    return {kRowLabel + 4 * kCell, 2 * kCell};
}

void LiveStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_words.isEmpty() || rows() == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   m_emptyText.isEmpty() ? tr("Train a probe to see its most salient neurons here.")
                                         : m_emptyText);
        return;
    }
    const int n = int(m_words.size());
    const double cw = std::max(double(kCell), double(width() - kRowLabel) / n);
    QFont small = font();
    small.setPixelSize(11);
    p.setFont(small);
    const QFontMetrics fm(small);
    p.setPen(palette().color(QPalette::Text));
    for (int w = 0; w < n; ++w) {
        const QRectF cell(kRowLabel + w * cw, 0, cw, kCell);
        p.drawText(cell.adjusted(2, 0, -2, 0), Qt::AlignCenter,
                   fm.elidedText(m_words[w], Qt::ElideRight, int(cw) - 4));
    }
    for (int r = 0; r < rows(); ++r) {
        const double y = (r + 1) * kCell;
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRectF(2, y, kRowLabel - 4, kCell), Qt::AlignLeft | Qt::AlignVCenter,
                   m_rowNames.value(r));
        for (int w = 0; w < n; ++w) {
            const QRectF cell(kRowLabel + w * cw, y, cw, kCell);
            const QColor c = cellColour(r, w);
            if (c.isValid())
                p.fillRect(cell.adjusted(0.5, 0.5, -0.5, -0.5), c);
        }
    }
}

void LiveStrip::mousePressEvent(QMouseEvent *event)
{
    const int r = rowAt(event->position().toPoint());
    if (r >= 0 && size_t(r) < m_columns.size())
        Q_EMIT columnClicked(m_columns[size_t(r)]);
}

// ---------------------------------------------------------------------------------------------
// SentenceView

SentenceView::SentenceView(SessionController *controller, JobRunner *jobs, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_jobs(jobs)
{
    auto *tabs = new QTabWidget(this);
    tabs->setObjectName(QStringLiteral("liveTabs"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(tabs);

    // Tab 1: Try a sentence.
    auto *live = new QWidget(tabs);
    auto *v = new QVBoxLayout(live);
    auto *row = new QHBoxLayout;
    m_input = new QLineEdit(live);
    m_input->setObjectName(QStringLiteral("liveInput"));
    m_input->setPlaceholderText(tr("Type or paste a sentence…"));
    m_input->setClearButtonEnabled(true);
    m_mode = new QComboBox(live);
    m_mode->setObjectName(QStringLiteral("liveMode"));
    m_mode->addItem(tr("Words (split on spaces)"));
    m_mode->addItem(tr("Raw text (model tokens)"));
    m_mode->setToolTip(tr("Words: the text is split on spaces like a corpus line and each word's "
                          "vector is aggregated from its subwords exactly as in extraction.\nRaw "
                          "text: the model's tokenizer splits it; one box per model token."));
    m_topK = new QSpinBox(live);
    m_topK->setObjectName(QStringLiteral("liveTopK"));
    m_topK->setRange(1, 64);
    m_topK->setValue(12);
    m_topK->setPrefix(tr("top "));
    m_topK->setToolTip(tr("Salient neurons shown in the strip (the probe's ranking)"));
    row->addWidget(m_input, 1);
    row->addWidget(m_mode);
    row->addWidget(m_topK);
    v->addLayout(row);
    m_modeNote = new QLabel(live);
    m_modeNote->setObjectName(QStringLiteral("liveModeNote"));
    m_modeNote->setWordWrap(true);
    v->addWidget(m_modeNote);
    m_status = new QLabel(live);
    m_status->setObjectName(QStringLiteral("liveStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    v->addWidget(m_status);
    auto *split = new QSplitter(Qt::Vertical, live);
    m_words = new WordActivationView(split);
    m_words->setObjectName(QStringLiteral("liveWords"));
    m_words->setShowLabels(true);
    m_words->setMinimumHeight(60);
    m_strip = new LiveStrip(split);
    m_strip->setObjectName(QStringLiteral("liveStrip"));
    split->addWidget(m_words);
    split->addWidget(m_strip);
    v->addWidget(split, 1);
    tabs->addTab(live, tr("Try a sentence"));

    // Tab 2: top contexts from a text file.
    auto *ctx = new QWidget(tabs);
    auto *cv = new QVBoxLayout(ctx);
    auto *crow = new QHBoxLayout;
    m_contextsButton = new QPushButton(tr("Top contexts in a text file…"), ctx);
    m_contextsButton->setObjectName(QStringLiteral("liveContextsButton"));
    m_contextsButton->setToolTip(tr("Runs a text file (no labels) through the model and keeps "
                                    "the contexts where the selected neuron fires most"));
    crow->addWidget(m_contextsButton);
    crow->addStretch(1);
    cv->addLayout(crow);
    m_contextsStatus = new QLabel(ctx);
    m_contextsStatus->setObjectName(QStringLiteral("liveContextsStatus"));
    m_contextsStatus->setWordWrap(true);
    cv->addWidget(m_contextsStatus);
    m_contexts = new WordActivationView(ctx);
    m_contexts->setObjectName(QStringLiteral("liveContexts"));
    m_contexts->setEmptyText(tr("Select a neuron, then choose a text file: its top activating "
                                "contexts appear here."));
    cv->addWidget(m_contexts, 1);
    tabs->addTab(ctx, tr("Top contexts (text)"));

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(150);
    connect(m_debounce, &QTimer::timeout, this, [this] { refreshNow(); });
    connect(m_input, &QLineEdit::textChanged, this, [this] { schedule(); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] { schedule(); });
    connect(m_topK, &QSpinBox::valueChanged, this, [this] { schedule(); });
    connect(m_contextsButton, &QPushButton::clicked, this, &SentenceView::chooseTextFile);
    connect(m_strip, &LiveStrip::columnClicked, m_controller,
            [this](int column) { m_controller->selectColumn(column); });
    connect(m_controller, &SessionController::modelAttached, this, [this] {
        rebuildEngine();
        refreshNow();
    });
    connect(m_controller, &SessionController::dataLoaded, this, [this] {
        rebuildEngine();
        m_top.reset();
        m_contexts->setData({});
        m_contextsStatus->clear();
        refreshNow();
    });
    connect(m_controller, &SessionController::resultChanged, this, [this](const QString &name) {
        if (name == QLatin1String("probe"))
            schedule();
    });
    connect(m_controller, &SessionController::resultInvalidated, this, [this](const QString &name) {
        if (name == QLatin1String("probe"))
            schedule();
    });
    connect(m_controller, &SessionController::neuronSelected, this, [this] { render(); });
    rebuildEngine();
    render();
}

SentenceView::~SentenceView() = default;

void SentenceView::setColourScheme(WordActivationView::ColourScheme scheme)
{
    m_words->setColourScheme(scheme);
    m_contexts->setColourScheme(scheme);
    m_strip->setColourScheme(scheme);
}

void SentenceView::setDebounceMs(int ms)
{
    m_debounce->setInterval(std::max(0, ms));
}

int SentenceView::debounceMs() const
{
    return m_debounce->interval();
}

void SentenceView::schedule()
{
    m_debounce->start();
}

void SentenceView::rebuildEngine()
{
    const auto model = m_controller->attachedModel();
    m_engine = model ? std::make_shared<const model::LiveEngine>(model, m_controller->sharedTask())
                     : nullptr;
    m_result.reset();
}

int SentenceView::refreshNow()
{
    m_debounce->stop();
    const quint64 generation = ++m_generation;
    if (m_job > 0)
        m_jobs->cancel(m_job); // a queued request is dropped before it runs
    m_job = -1;
    if (!m_engine) {
        m_pending = false;
        m_result.reset();
        render();
        return -1;
    }
    const std::shared_ptr<const AnalysisResult> held =
        m_controller->sharedResult(QStringLiteral("probe"));
    const ProbeReport *probe = held ? std::get_if<ProbeReport>(held.get()) : nullptr;
    const auto engine = m_engine;
    const QString text = m_input->text();
    const auto mode =
        m_mode->currentIndex() == 1 ? model::LiveMode::ModelTokens : model::LiveMode::Words;
    const int k = m_topK->value();
    auto out = std::make_shared<model::LiveResult>();
    auto error = std::make_shared<QString>();
    m_pending = true;
    m_job = m_jobs->start(
        tr("Try a sentence"),
        [engine, held, probe, text, mode, k, out, error](JobContext &) {
            // Errors stay in the view (a dialog per keystroke would be unusable).
            try {
                *out = engine->compute(text, mode, probe, k);
            } catch (const Error &e) {
                *error = e.message();
            }
            return JobStatus::Ok;
        },
        [this, generation, out, error](JobStatus status, const QString &message) {
            if (generation != m_generation) {
                ++m_stale; // a newer request was made: never shown
                return;
            }
            m_pending = false;
            m_job = -1;
            if (status != JobStatus::Ok || !error->isEmpty()) {
                const QString why = error->isEmpty() ? message : *error;
                m_status->setText(tr("Could not compute this sentence: %1").arg(why));
                Q_EMIT failed(why);
                return;
            }
            m_result = out;
            ++m_computed;
            render();
            Q_EMIT resultShown();
        },
        JobRunner::Lane::Interactive);
    return m_job;
}

void SentenceView::render()
{
    const auto model = m_controller->attachedModel();
    const bool words = m_mode->currentIndex() == 0;
    m_modeNote->setText(
        words ? tr("Words: split on spaces like a corpus line; each word's vector is its subwords' "
                   "(%1) exactly as extraction computes it.")
                    .arg(model ? model->record.aggregation : QStringLiteral("last"))
              : tr("Raw text, split the model's way: one box per model token, no aggregation. "
                   "The probe was trained on words: its labels on subword tokens are only "
                   "indicative."));
    if (!m_controller->task()) {
        m_status->setText(tr("Load data, then attach the model the activations came from "
                             "(Model › Attach model…)."));
        m_words->setEmptyText(m_status->text());
        m_words->setData({});
        m_strip->setEmptyText(tr("Load data first."));
        m_strip->setData({}, {}, {}, {});
        return;
    }
    // What the strip of the probe's top neurons needs next once a sentence is computed.
    const QString stripNeeds = m_controller->probe()
                                   ? tr("The probe's most salient neurons appear here, one row "
                                        "each, when a sentence is computed.")
                                   : tr("Train a probe to see its most salient neurons here.");
    m_strip->setEmptyText(stripNeeds);
    if (!model) {
        m_status->setText(tr("No model attached: Model › Attach model… (the checkpoint the "
                             "activation files were extracted from)."));
        m_words->setEmptyText(m_status->text());
        m_words->setData({});
        m_strip->setData({}, {}, {}, {});
        return;
    }
    if (!m_result) {
        m_status->setText(
            tr("%1 — type a sentence.").arg(model::describeSessionModel(model->record)));
        m_words->setEmptyText(tr("Type a sentence above."));
        m_words->setData({});
        m_strip->setData({}, {}, {}, {});
        return;
    }
    const model::LiveResult &r = *m_result;
    const model::LiveSentence &s = r.sentence;
    const NeuronLayout &layout = m_controller->layout();
    int column = m_controller->selectedColumn();
    if (column < 0 || column >= r.columns.cols())
        column = r.topColumns.empty() ? (r.columns.cols() > 0 ? 0 : -1) : r.topColumns.front();
    QString status = tr("%1 words · %2 model tokens · %3 ms")
                         .arg(s.words.size())
                         .arg(s.modelTokens)
                         .arg(r.seconds * 1000, 0, 'f', 1);
    if (s.droppedWords > 0)
        status +=
            tr(" · %1 words beyond the model's length limit were not run").arg(s.droppedWords);
    if (!r.goldSplit.isEmpty())
        status += tr(" · in the corpus: %1 line %2 (gold labels shown)")
                      .arg(r.goldSplit)
                      .arg(r.goldRecord + 1);
    else if (words && !s.words.isEmpty())
        status += tr(" · not in the loaded corpus");
    if (r.predicted.isEmpty() && r.value.empty())
        status += tr(" · train a probe to see its predictions");
    m_status->setText(status);

    WordActivationData data;
    WordSentence sentence;
    sentence.tokens = s.words;
    const bool anyLabel = !r.predicted.isEmpty() || !r.value.empty() || !r.gold.isEmpty();
    for (int w = 0; w < int(s.words.size()); ++w) {
        sentence.activations << (column >= 0 ? r.columns(w, column) : 0.0f);
        if (!anyLabel)
            continue;
        QString label;
        if (w < r.predicted.size())
            label = QStringLiteral("%1 %2%")
                        .arg(r.predicted[w])
                        .arg(std::lround(100 * r.probability[size_t(w)]));
        else if (size_t(w) < r.value.size())
            label = QString::number(r.value[size_t(w)], 'g', 3);
        if (w < r.gold.size())
            label += (label.isEmpty() ? QString() : QStringLiteral(" · "))
                     + tr("gold %1").arg(r.gold[w]);
        sentence.labels << label;
    }
    data.title = column >= 0 ? tr("%1 on the typed sentence").arg(neuronName(layout.neuron(column)))
                             : tr("Typed sentence");
    data.sentences.push_back(std::move(sentence));
    m_words->setEmptyText(tr("Type a sentence above."));
    m_words->setData(s.words.isEmpty() ? WordActivationData{} : std::move(data));

    QStringList names;
    RowMatrixF strip(Index(r.topColumns.size()), Index(s.words.size()));
    for (size_t i = 0; i < r.topColumns.size(); ++i) {
        names << neuronShort(layout.neuron(r.topColumns[i]));
        if (r.topColumns[i] < r.columns.cols())
            strip.row(Index(i)) = r.columns.col(r.topColumns[i]).transpose();
        else
            strip.row(Index(i)).setZero();
    }
    m_strip->setData(names, r.topColumns, s.words, std::move(strip));
}

void SentenceView::chooseTextFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Text file (one or more lines)"), {},
                                                      tr("Text (*.txt);;All files (*)"));
    if (!path.isEmpty())
        runTopContexts(path);
}

int SentenceView::runTopContexts(const QString &textPath, int top)
{
    const auto model = m_controller->attachedModel();
    const NeuronId id = m_controller->selectedNeuron();
    if (!model || !id.isValid()) {
        m_contextsStatus->setText(model ? tr("Select a neuron first.")
                                        : tr("Attach a model first (Model › Attach model…)."));
        return -1;
    }
    auto out = std::make_shared<model::TopContextsResult>();
    m_contextsStatus->setText(
        tr("Running %1 through the model…").arg(QFileInfo(textPath).fileName()));
    const quint64 generation = m_controller->dataGeneration();
    return m_jobs->start(
        tr("Top contexts of %1").arg(neuronName(id)),
        [model, id, textPath, top, out](JobContext &ctx) {
            model::TopContextsOptions o;
            o.top = top;
            *out = model::topActivatingContexts(
                *model, textPath, {id}, o, [&ctx](Index done, Index total) {
                    return ctx.report(total > 0 ? double(done) / double(total) : 1.0,
                                      QStringLiteral("reading the text"));
                });
            return out->cancelled ? JobStatus::Cancelled : JobStatus::Ok;
        },
        [this, out, generation, id, textPath](JobStatus status, const QString &message) {
            if (generation != m_controller->dataGeneration())
                return;
            if (status != JobStatus::Ok) {
                m_contextsStatus->setText(
                    tr("Top contexts: %1")
                        .arg(message.isEmpty() ? jobStatusText(status) : message));
                return;
            }
            m_top = out;
            WordActivationData data;
            data.title =
                tr("%1: top contexts in %2").arg(neuronName(id), QFileInfo(textPath).fileName());
            int rank = 0;
            for (const model::ContextHit &h : out->neurons.front().hits) {
                WordSentence s;
                s.record = h.line - 1;
                s.tokens = h.words;
                s.activations = h.activations;
                s.group = tr("top %1 · line %2").arg(++rank).arg(h.line);
                data.sentences.push_back(std::move(s));
            }
            m_contexts->setData(std::move(data));
            m_contextsStatus->setText(tr("%1 lines, %2 words in %3 s; the %4 chunks of at most %5 "
                                         "words where the neuron's maximum is highest.")
                                          .arg(out->lines)
                                          .arg(out->words)
                                          .arg(out->seconds, 0, 'f', 1)
                                          .arg(out->neurons.front().hits.size())
                                          .arg(out->maxWords));
            Q_EMIT contextsShown();
        });
}

} // namespace salient::ui
