#include "salient/ui/views/interventionview.h"

#include "salient/model/intervention.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <cmath>
#include <memory>

namespace salient::ui {

namespace {

bool finiteValue(const QJsonValue &v)
{
    return v.isDouble() && std::isfinite(v.toDouble());
}

QLineEdit *fileEdit(QWidget *parent, QHBoxLayout **row, const QString &placeholder)
{
    auto *edit = new QLineEdit(parent);
    edit->setPlaceholderText(placeholder);
    auto *browse = new QToolButton(parent);
    browse->setText(QStringLiteral("…"));
    QObject::connect(browse, &QToolButton::clicked, parent, [edit, parent] {
        const QString f = QFileDialog::getOpenFileName(parent, {}, edit->text());
        if (!f.isEmpty())
            edit->setText(f);
    });
    *row = new QHBoxLayout;
    (*row)->addWidget(edit, 1);
    (*row)->addWidget(browse);
    return edit;
}

} // namespace

InterventionCanvas::InterventionCanvas(const QString &metric, QWidget *parent)
    : PlotCanvas(parent), m_metric(metric)
{
    QCustomPlot *p = plot();
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->xAxis->setLabel(tr("neurons set (k)"));
    p->xAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    ticker->setLogBase(2);
    p->xAxis->setTicker(ticker);
    p->yAxis->setLabel(metric == QLatin1String("loss") ? tr("mean next-token loss (nats)")
                                                       : tr("probe accuracy"));
    p->legend->setVisible(true);
    setTitle(metric == QLatin1String("loss") ? tr("Next-token loss: top-k vs random-k")
                                             : tr("Probe accuracy: top-k vs random-k"));
    setEmptyText(tr("Press Run intervention (or Run › Intervention…) to see the curves"));
}

void InterventionCanvas::setResult(const QJsonObject &result)
{
    QCustomPlot *p = plot();
    p->clearGraphs();
    p->clearItems();
    const QString key = m_metric;
    const QJsonObject clean = result.value(QLatin1String("clean")).toObject();
    if (result.isEmpty() || !finiteValue(clean.value(key))) {
        setEmptyText(
            result.isEmpty()
                ? tr("Press Run intervention (or Run › Intervention…) to see the curves")
                : tr("No %1 in this result (give a text file and a decoder model)").arg(key));
        replot();
        return;
    }
    setEmptyText({});
    QVector<double> tk, tv, rk, rv, rmin, rmax;
    for (const QJsonValue v : result.value(QLatin1String("top")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("k")).toInt() > 0 && finiteValue(o.value(key))) {
            tk << o.value(QLatin1String("k")).toInt();
            tv << o.value(key).toDouble();
        }
    }
    const QString many =
        key == QLatin1String("loss") ? QStringLiteral("losses") : QStringLiteral("accuracies");
    for (const QJsonValue v : result.value(QLatin1String("random")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("k")).toInt() <= 0 || !finiteValue(o.value(key)))
            continue;
        rk << o.value(QLatin1String("k")).toInt();
        rv << o.value(key).toDouble();
        double lo = rv.back(), hi = rv.back();
        for (const QJsonValue d : o.value(many).toArray())
            if (finiteValue(d)) {
                lo = std::min(lo, d.toDouble());
                hi = std::max(hi, d.toDouble());
            }
        rmin << lo;
        rmax << hi;
    }
    auto add = [&](const QVector<double> &x, const QVector<double> &y, const QColor &c,
                   const QString &name, Qt::PenStyle style, bool markers) {
        QCPGraph *g = p->addGraph();
        g->setData(x, y, true);
        g->setPen(QPen(c, markers ? 2.0 : 1.0, style));
        g->setName(name);
        if (markers)
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
        return g;
    };
    add(tk, tv, QColor(0xd6, 0x27, 0x28), tr("top-k salient"), Qt::SolidLine, true);
    const int draws = result.value(QLatin1String("draws")).toInt();
    add(rk, rv, QColor(0x1f, 0x77, 0xb4), tr("random-k (mean of %1)").arg(draws), Qt::SolidLine,
        true);
    QCPGraph *lo =
        add(rk, rmin, QColor(0x1f, 0x77, 0xb4), tr("random-k min–max"), Qt::DotLine, false);
    QCPGraph *hi = add(rk, rmax, QColor(0x1f, 0x77, 0xb4), QString(), Qt::DotLine, false);
    hi->removeFromLegend();
    hi->setChannelFillGraph(lo);
    hi->setBrush(QColor(0x1f, 0x77, 0xb4, 40));
    QVector<double> all = tk + rk;
    if (!all.isEmpty()) {
        const double k0 = *std::min_element(all.begin(), all.end());
        const double k1 = *std::max_element(all.begin(), all.end());
        const double c = clean.value(key).toDouble();
        add({k0, k1}, {c, c}, Qt::darkGray, tr("clean"), Qt::DashLine, false);
        p->xAxis->setRange(k0 / 1.3, k1 * 1.3);
    }
    p->yAxis->rescale(true);
    const QCPRange y = p->yAxis->range();
    p->yAxis->setRange(y.lower - 0.05 * y.size(), y.upper + 0.05 * y.size());
    replot();
}

InterventionView::InterventionView(SessionController *controller, JobRunner *jobs, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_jobs(jobs)
{
    auto *form = new QFormLayout;
    QHBoxLayout *row = nullptr;
    m_model = fileEdit(this, &row, tr("llama2.c .bin or Hugging Face folder"));
    form->addRow(tr("Model"), row);
    m_tokenizer = fileEdit(this, &row, tr("llama2.c tokenizer.bin (default: beside the model)"));
    form->addRow(tr("Tokenizer"), row);
    m_text = fileEdit(this, &row, tr("text for the next-token loss (decoders; optional)"));
    form->addRow(tr("Text"), row);
    auto *modeRow = new QHBoxLayout;
    m_mode = new QComboBox(this);
    m_mode->addItems({QStringLiteral("zero"), QStringLiteral("mean"), QStringLiteral("value")});
    m_value = new QDoubleSpinBox(this);
    m_value->setRange(-1e6, 1e6);
    m_value->setDecimals(3);
    m_value->setEnabled(false);
    connect(m_mode, &QComboBox::currentTextChanged, this,
            [this](const QString &m) { m_value->setEnabled(m == QLatin1String("value")); });
    modeRow->addWidget(m_mode);
    modeRow->addWidget(m_value);
    form->addRow(tr("Set neurons to"), modeRow);
    auto *sizeRow = new QHBoxLayout;
    m_maxK = new QSpinBox(this);
    m_maxK->setRange(1, 100000);
    m_maxK->setValue(64);
    m_draws = new QSpinBox(this);
    m_draws->setRange(1, 1000);
    m_draws->setValue(3);
    m_maxSentences = new QSpinBox(this);
    m_maxSentences->setRange(0, 10000000);
    m_maxSentences->setSpecialValueText(tr("all"));
    sizeRow->addWidget(new QLabel(tr("k up to"), this));
    sizeRow->addWidget(m_maxK);
    sizeRow->addWidget(new QLabel(tr("random draws"), this));
    sizeRow->addWidget(m_draws);
    sizeRow->addWidget(new QLabel(tr("sentences"), this));
    sizeRow->addWidget(m_maxSentences);
    form->addRow(tr("Sizes"), sizeRow);
    m_run = new QPushButton(tr("Run intervention"), this);
    connect(m_run, &QPushButton::clicked, this, [this] { run(); });
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_accuracy = new InterventionCanvas(QStringLiteral("accuracy"), this);
    m_loss = new InterventionCanvas(QStringLiteral("loss"), this);
    m_accuracy->setMinimumHeight(180);
    m_loss->setMinimumHeight(180);
    auto *curves = new QHBoxLayout;
    curves->addWidget(m_accuracy);
    curves->addWidget(m_loss);

    auto *gen = new QGroupBox(tr("Generate (greedy): clean vs intervened"), this);
    auto *genLayout = new QVBoxLayout(gen);
    auto *genRow = new QHBoxLayout;
    m_prompt = new QLineEdit(gen);
    m_prompt->setPlaceholderText(tr("prompt (empty = start from BOS)"));
    m_neurons = new QLineEdit(QStringLiteral("top:8"), gen);
    m_neurons->setToolTip(tr("top:K (the probe's K most salient neurons) or a list of flat "
                             "indices / layer:unit pairs"));
    m_tokens = new QSpinBox(gen);
    m_tokens->setRange(1, 4096);
    m_tokens->setValue(64);
    m_generate = new QPushButton(tr("Generate"), gen);
    connect(m_generate, &QPushButton::clicked, this, [this] { generateNow(); });
    genRow->addWidget(m_prompt, 2);
    genRow->addWidget(new QLabel(tr("neurons"), gen));
    genRow->addWidget(m_neurons, 1);
    genRow->addWidget(new QLabel(tr("tokens"), gen));
    genRow->addWidget(m_tokens);
    genRow->addWidget(m_generate);
    genLayout->addLayout(genRow);
    auto *texts = new QHBoxLayout;
    m_cleanText = new QPlainTextEdit(gen);
    m_intervenedText = new QPlainTextEdit(gen);
    for (QPlainTextEdit *t : {m_cleanText, m_intervenedText}) {
        t->setReadOnly(true);
        t->setMinimumHeight(60);
        texts->addWidget(t);
    }
    m_cleanText->setPlaceholderText(tr("clean continuation"));
    m_intervenedText->setPlaceholderText(tr("with the neurons set"));
    genLayout->addLayout(texts);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_run);
    runRow->addWidget(m_summary, 1);
    layout->addLayout(runRow);
    layout->addLayout(curves, 1);
    layout->addWidget(gen);

    connect(m_controller, &SessionController::resultChanged, this, [this](const QString &name) {
        if (name == QLatin1String("intervention"))
            showResult();
    });
    connect(m_controller, &SessionController::dataLoaded, this, [this] { showResult(); });
    showResult();
}

QJsonObject InterventionView::options() const
{
    QJsonObject o;
    o[QStringLiteral("model")] = m_model->text();
    if (!m_tokenizer->text().isEmpty())
        o[QStringLiteral("tokenizer")] = m_tokenizer->text();
    if (!m_text->text().isEmpty())
        o[QStringLiteral("text")] = m_text->text();
    o[QStringLiteral("mode")] = m_mode->currentText() == QLatin1String("value")
                                    ? QStringLiteral("value:%1").arg(m_value->value())
                                    : m_mode->currentText();
    QJsonArray sizes;
    for (int k = 1; k <= m_maxK->value(); k *= 2)
        sizes.append(k);
    if (sizes.last().toInt() != m_maxK->value())
        sizes.append(m_maxK->value());
    o[QStringLiteral("sizes")] = sizes;
    o[QStringLiteral("draws")] = m_draws->value();
    if (m_maxSentences->value() > 0)
        o[QStringLiteral("max_sentences")] = m_maxSentences->value();
    return o;
}

int InterventionView::run()
{
    return m_controller->runAnalysis(
        QStringLiteral("intervention"),
        m_controller->session().probeOptionsFor(QStringLiteral("intervention")), options());
}

void InterventionView::showResult()
{
    const AnalysisResult *r = m_controller->result(QStringLiteral("intervention"));
    const JsonReport *j = r ? std::get_if<JsonReport>(r) : nullptr;
    const QJsonObject json = j ? j->json : QJsonObject();
    m_accuracy->setResult(json);
    m_loss->setResult(json);
    if (json.isEmpty()) {
        m_summary->clear();
        return;
    }
    const QJsonObject clean = json.value(QLatin1String("clean")).toObject();
    m_summary->setText(
        tr("%1, mode %2, %3 sentences (%4 words) of %5: clean probe accuracy %6%7")
            .arg(json.value(QLatin1String("model")).toString(),
                 json.value(QLatin1String("mode")).toString())
            .arg(json.value(QLatin1String("sentences")).toInt())
            .arg(json.value(QLatin1String("words")).toInt())
            .arg(json.value(QLatin1String("split")).toString())
            .arg(clean.value(QLatin1String("accuracy")).toDouble(), 0, 'f', 4)
            .arg(finiteValue(clean.value(QLatin1String("loss")))
                     ? tr(", next-token loss %1")
                           .arg(clean.value(QLatin1String("loss")).toDouble(), 0, 'f', 4)
                     : QString()));
}

QString InterventionView::summaryText() const
{
    return m_summary->text();
}

int InterventionView::generateNow()
{
    const QString modelPath = m_model->text();
    if (modelPath.isEmpty()) {
        m_intervenedText->setPlainText(tr("Choose a decoder model first."));
        return -1;
    }
    // top:K needs the probe's ordering (read here, on the GUI thread).
    QString spec = m_neurons->text().trimmed();
    std::vector<int> topFlat;
    if (spec.startsWith(QLatin1String("top:"))) {
        const ProbeReport *probe = m_controller->probe();
        const int k = spec.mid(4).toInt();
        if (!probe || k < 1) {
            m_intervenedText->setPlainText(tr("top:K needs a trained probe and K ≥ 1."));
            return -1;
        }
        for (int i = 0; i < std::min<int>(k, int(probe->ordering.size())); ++i)
            topFlat.push_back(probe->layout.flatIndex(probe->ordering[size_t(i)]));
    }
    struct Out {
        QString clean, intervened;
    };
    auto out = std::make_shared<Out>();
    const QString tokenizer = m_tokenizer->text(), prompt = m_prompt->text();
    const int tokens = m_tokens->value();
    const QString mode = m_mode->currentText() == QLatin1String("value")
                             ? QStringLiteral("value:%1").arg(m_value->value())
                             : m_mode->currentText();
    m_generate->setEnabled(false);
    return m_jobs->start(
        tr("Generate"),
        [=](JobContext &) {
            using namespace salient::model;
            const LoadedModel lm = loadModelAndTokenizer(modelPath, tokenizer);
            double value = 0;
            const InterventionMode m = parseInterventionMode(mode, &value);
            if (m == InterventionMode::Mean)
                throw Error(QStringLiteral("Generate: mode mean needs activations; use zero or "
                                           "value"));
            const std::vector<int> flat =
                topFlat.empty() ? parseNeuronList(spec, lm.model->info().hidden) : topFlat;
            GenerateOptions go;
            go.tokens = tokens;
            out->clean = generate(*lm.model, *lm.tokenizer, prompt, go).text;
            out->intervened = generate(*lm.model, *lm.tokenizer, prompt, go,
                                       makeIntervention(lm.model->info(), flat, m, value))
                                  .text;
            return JobStatus::Ok;
        },
        [this, out](JobStatus status, const QString &message) {
            m_generate->setEnabled(true);
            if (status != JobStatus::Ok) {
                m_intervenedText->setPlainText(message);
                return;
            }
            m_cleanText->setPlainText(out->clean);
            m_intervenedText->setPlainText(out->intervened);
            Q_EMIT generated();
        },
        JobRunner::Lane::Interactive);
}

} // namespace salient::ui
