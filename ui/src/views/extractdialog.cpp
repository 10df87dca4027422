#include "salient/ui/views/extractdialog.h"

#include "salient/data/task.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace salient::ui {

using namespace salient::model;

QString matchingLabelsFile(const QString &sentences)
{
    const QFileInfo fi(sentences);
    const QString name = fi.fileName();
    QStringList candidates;
    for (const auto &[from, to] : {std::pair{QStringLiteral(".words."), QStringLiteral(".labels.")},
                                   std::pair{QStringLiteral(".tokens"), QStringLiteral(".labels")},
                                   std::pair{QStringLiteral("words"), QStringLiteral("labels")},
                                   std::pair{QStringLiteral("tokens"), QStringLiteral("labels")}})
        if (name.contains(from)) {
            QString n = name;
            const qsizetype at = n.lastIndexOf(from);
            n.replace(at, from.size(), to);
            candidates << fi.dir().filePath(n);
        }
    if (name.endsWith(QLatin1String(".txt")))
        candidates << fi.dir().filePath(name.left(name.size() - 4) + QStringLiteral(".labels.txt"));
    for (const QString &c : candidates)
        if (c != fi.filePath() && QFileInfo::exists(c))
            return c;
    return {};
}

namespace {

QWidget *withBrowse(QLineEdit *edit, QWidget *parent, std::function<QString()> pick)
{
    auto *row = new QWidget(parent);
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    auto *b = new QPushButton(QObject::tr("Browse…"), row);
    QObject::connect(b, &QPushButton::clicked, row, [edit, pick] {
        const QString f = pick();
        if (!f.isEmpty())
            edit->setText(f);
    });
    h->addWidget(b);
    return row;
}

} // namespace

ExtractDialog::ExtractDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Extract activations"));
    auto *v = new QVBoxLayout(this);
    auto *intro = new QLabel(
        tr("Runs the model on every sentence and writes per-word activations exactly as "
           "NeuroX's transformers_extractor does (layer 0 = embeddings). Hugging Face folders: "
           "BERT, RoBERTa/XLM-R, ELECTRA, GPT-2, Llama. llama2.c: a .bin checkpoint and its "
           "tokenizer.bin."),
        this);
    intro->setWordWrap(true);
    v->addWidget(intro);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_model = new QLineEdit(this);
    m_model->setPlaceholderText(tr("checkpoint folder (config.json) or llama2.c .bin"));
    auto *modelRow = new QWidget(this);
    auto *mh = new QHBoxLayout(modelRow);
    mh->setContentsMargins(0, 0, 0, 0);
    mh->addWidget(m_model, 1);
    auto *folder = new QPushButton(tr("Folder…"), modelRow);
    auto *file = new QPushButton(tr("File…"), modelRow);
    connect(folder, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Checkpoint folder"));
        if (!d.isEmpty())
            m_model->setText(d);
    });
    connect(file, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("llama2.c checkpoint"), {},
                                                       tr("llama2.c checkpoints (*.bin)"));
        if (!f.isEmpty())
            m_model->setText(f);
    });
    mh->addWidget(folder);
    mh->addWidget(file);
    form->addRow(tr("Model"), modelRow);
    m_tokenizer = new QLineEdit(this);
    m_tokenizer->setPlaceholderText(tr("llama2.c only: tokenizer.bin (default: beside the model)"));
    form->addRow(tr("Tokenizer"), withBrowse(m_tokenizer, this, [this] {
                     return QFileDialog::getOpenFileName(this, tr("llama2.c tokenizer"), {},
                                                         tr("Tokenizers (*.bin)"));
                 }));
    m_sentences = new QLineEdit(this);
    m_sentences->setPlaceholderText(tr("one sentence per line, words separated by spaces"));
    form->addRow(tr("Sentences"), withBrowse(m_sentences, this, [this] {
                     return QFileDialog::getOpenFileName(this, tr("Sentences"));
                 }));
    m_output = new QLineEdit(this);
    m_output->setPlaceholderText(tr("activations .hdf5"));
    form->addRow(tr("Output"), withBrowse(m_output, this, [this] {
                     return QFileDialog::getSaveFileName(this, tr("Activations"), {},
                                                         tr("HDF5 (*.hdf5)"));
                 }));
    m_aggregation = new QComboBox(this);
    m_aggregation->addItem(tr("last subword (NeuroX default)"), int(Aggregation::Last));
    m_aggregation->addItem(tr("first subword"), int(Aggregation::First));
    m_aggregation->addItem(tr("average of subwords"), int(Aggregation::Average));
    form->addRow(tr("Word vector"), m_aggregation);
    m_dtype = new QComboBox(this);
    m_dtype->addItem(QStringLiteral("float32"), int(DType::Float32));
    m_dtype->addItem(tr("float16 (half the size)"), int(DType::Float16));
    form->addRow(tr("Stored as"), m_dtype);
    m_layers = new QLineEdit(this);
    m_layers->setPlaceholderText(tr("all; or e.g. 0,3,6-8 (0 = embeddings)"));
    form->addRow(tr("Layers"), m_layers);
    m_decompose = new QCheckBox(tr("one file per layer (OUT-layer<k>.hdf5)"), this);
    form->addRow(QString(), m_decompose);
    m_lastLayer = new QComboBox(this);
    m_lastLayer->addItem(tr("model default (HF: after final norm; llama2.c: raw)"),
                         int(LastLayer::Default));
    m_lastLayer->addItem(tr("after the final norm (Hugging Face hidden_states)"),
                         int(LastLayer::FinalNorm));
    m_lastLayer->addItem(tr("raw residual stream"), int(LastLayer::Raw));
    form->addRow(tr("Last layer"), m_lastLayer);
    m_keys = new QComboBox(this);
    m_keys->addItem(tr("subword tokens (NeuroX)"), int(KeyStyle::Tokens));
    m_keys->addItem(tr("sentence text"), int(KeyStyle::Text));
    form->addRow(tr("Sentence keys"), m_keys);
    m_batch = new QSpinBox(this);
    m_batch->setRange(1, 4096);
    m_batch->setValue(16);
    form->addRow(tr("Sentences per pass"), m_batch);
    m_restart = new QCheckBox(tr("discard a partial earlier extraction (else it resumes)"), this);
    form->addRow(QString(), m_restart);
    v->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #a33;"));
    v->addWidget(m_problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Extract"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(buttons);
    for (QLineEdit *e : {m_model, m_tokenizer, m_sentences, m_output, m_layers})
        connect(e, &QLineEdit::textChanged, this, &ExtractDialog::update);
    connect(m_sentences, &QLineEdit::editingFinished, this, [this] {
        // Propose an output beside the sentences: x.words.txt → x.<model>.hdf5.
        if (!m_output->text().isEmpty() || m_sentences->text().isEmpty())
            return;
        const QFileInfo s(m_sentences->text());
        QString base = s.completeBaseName();
        base.replace(QLatin1String(".words"), QString());
        const QString model = QFileInfo(m_model->text()).completeBaseName();
        m_output->setText(
            s.dir().filePath(base + (model.isEmpty() ? QString() : QLatin1Char('.') + model)
                             + QStringLiteral(".hdf5")));
    });
    update();
}

QString ExtractDialog::problem() const
{
    const QFileInfo model(m_model->text());
    if (m_model->text().isEmpty())
        return tr("Choose a model: a checkpoint folder or a llama2.c .bin file.");
    if (!model.exists())
        return tr("The model %1 does not exist.").arg(m_model->text());
    if (model.isDir() && !QFileInfo::exists(model.filePath() + QStringLiteral("/config.json")))
        return tr("The folder %1 has no config.json: not a Hugging Face checkpoint.")
            .arg(m_model->text());
    if (m_sentences->text().isEmpty())
        return tr("Choose the sentences file.");
    if (!QFileInfo::exists(m_sentences->text()))
        return tr("The sentences file %1 does not exist.").arg(m_sentences->text());
    if (m_output->text().isEmpty())
        return tr("Choose where to write the activations (.hdf5).");
    try {
        (void)parseIndexList(m_layers->text(), tr("Layers"));
    } catch (const Error &e) {
        return e.message();
    }
    return {};
}

void ExtractDialog::update()
{
    m_tokenizer->setEnabled(m_model->text().endsWith(QLatin1String(".bin")));
    m_problem->setText(problem());
}

ExtractRequest ExtractDialog::request() const
{
    ExtractRequest r;
    r.model = m_model->text();
    r.tokenizer = m_tokenizer->isEnabled() ? m_tokenizer->text() : QString();
    r.sentences = m_sentences->text();
    r.output = m_output->text();
    r.options.aggregation = Aggregation(m_aggregation->currentData().toInt());
    r.options.dtype = DType(m_dtype->currentData().toInt());
    r.options.decompose = m_decompose->isChecked();
    r.options.lastLayer = LastLayer(m_lastLayer->currentData().toInt());
    r.options.keys = KeyStyle(m_keys->currentData().toInt());
    r.options.batchSentences = m_batch->value();
    r.options.restart = m_restart->isChecked();
    try {
        r.options.layers = parseIndexList(m_layers->text(), tr("Layers"));
    } catch (const Error &) {
        r.options.layers.clear(); // problem() names the mistake; Extract stays refused
    }
    return r;
}

void ExtractDialog::setRequest(const ExtractRequest &r)
{
    m_model->setText(r.model);
    m_tokenizer->setText(r.tokenizer);
    m_sentences->setText(r.sentences);
    m_output->setText(r.output);
    m_aggregation->setCurrentIndex(m_aggregation->findData(int(r.options.aggregation)));
    m_dtype->setCurrentIndex(m_dtype->findData(int(r.options.dtype)));
    m_decompose->setChecked(r.options.decompose);
    m_lastLayer->setCurrentIndex(m_lastLayer->findData(int(r.options.lastLayer)));
    m_keys->setCurrentIndex(m_keys->findData(int(r.options.keys)));
    m_batch->setValue(r.options.batchSentences);
    m_restart->setChecked(r.options.restart);
    QStringList layers;
    for (int l : r.options.layers)
        layers << QString::number(l);
    m_layers->setText(layers.join(QLatin1Char(',')));
    update();
}

int startExtractionJob(
    JobRunner *jobs, const ExtractRequest &request,
    std::function<void(JobStatus, const QString &, const ExtractJobResult &)> onDone)
{
    auto result = std::make_shared<ExtractJobResult>();
    const QString name =
        QObject::tr("Extract activations: %1").arg(QFileInfo(request.output).fileName());
    return jobs->start(
        name,
        [request, result](JobContext &ctx) {
            ctx.report(0.0, QObject::tr("loading the model"));
            const LoadedModel m = loadModelAndTokenizer(request.model, request.tokenizer);
            result->summary = extractActivations(
                *m.model, *m.tokenizer, request.sentences, request.output, request.options,
                [&ctx](Index done, Index total) {
                    return ctx.report(total > 0 ? double(done) / double(total) : 0.0,
                                      QObject::tr("%1 / %2 sentences").arg(done).arg(total));
                });
            if (result->summary.cancelled) {
                ctx.setMessage(QObject::tr("cancelled after %1 sentences; extracting again "
                                           "resumes there")
                                   .arg(result->summary.sentences));
                return JobStatus::Cancelled;
            }
            ctx.setMessage(QObject::tr("%1 sentences, %2 words → %3")
                               .arg(result->summary.sentences)
                               .arg(result->summary.words)
                               .arg(result->summary.outputs.join(QStringLiteral(", "))));
            return JobStatus::Ok;
        },
        [result, onDone](JobStatus status, const QString &message) {
            if (onDone)
                onDone(status, message, *result);
        });
}

} // namespace salient::ui
