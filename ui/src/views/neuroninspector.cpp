#include "salient/ui/views/neuroninspector.h"

#include "salient/ui/models/neuronclassmodel.h"
#include "salient/ui/models/tablevalues.h"
#include "salient/ui/models/topwordsmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::ui {

namespace {

/// Draws a signed bar behind the number (blue positive, red negative: the NeuroX colours of the
/// word view), from the cell's centre line.
class BarDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *p, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        const double scale = index.data(BarScaleRole).toDouble();
        const double v = index.data(ValueRole).toDouble();
        if (scale > 0 && std::isfinite(v) && !(option.state & QStyle::State_Selected)) {
            const QRectF r = QRectF(option.rect).adjusted(2, 3, -2, -3);
            const double half = r.width() / 2;
            const double w = std::min(1.0, std::abs(v) / scale) * half;
            QColor c = v > 0 ? QColor(0x00, 0xaa, 0xd4) : QColor(0xd3, 0x5f, 0x5f);
            c.setAlphaF(0.45f);
            const double x0 = r.left() + half;
            p->fillRect(v > 0 ? QRectF(x0, r.top(), w, r.height())
                              : QRectF(x0 - w, r.top(), w, r.height()),
                        c);
        }
        QStyledItemDelegate::paint(p, option, index);
    }
};

/// A read-only, row-selecting table view over @p proxy, sortable by clicking a header;
/// column @p stretch takes the spare width, the others fit their contents.
QTableView *makeTable(QAbstractItemModel *proxy, int stretch, QWidget *parent)
{
    auto *t = new QTableView(parent);
    t->setModel(proxy);
    t->verticalHeader()->setVisible(false);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->setWordWrap(false);
    t->setSortingEnabled(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setSectionResizeMode(stretch, QHeaderView::Stretch);
    t->horizontalHeader()->setStretchLastSection(false);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    return t;
}

QWidget *section(const QString &title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *lay = new QVBoxLayout(box);
    lay->setContentsMargins(0, 4, 0, 0);
    lay->setSpacing(2);
    auto *label = new QLabel(title, box);
    label->setTextFormat(Qt::PlainText);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    lay->addWidget(label);
    lay->addWidget(content, 1);
    return box;
}

} // namespace

NeuronInspector::NeuronInspector(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 6, 6, 6);
    lay->setSpacing(4);

    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont tf = m_title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.15);
    m_title->setFont(tf);
    m_summary = new QLabel(this);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setToolTip(
        tr("Overall rank: the neuron's position in the probe's ordering (Algorithm 3: neurons "
           "enter as each class's weight mass is covered), not its total share of weight mass "
           "that the heatmap colours, so the brightest cell need not be rank 1."));
    m_busy = new QLabel(tr("Computing the neuron's profile\u2026"), this);
    m_busy->setObjectName(QStringLiteral("inspectorBusy"));
    m_busy->setStyleSheet(QStringLiteral("color: #8a5a00; font-style: italic;"));
    m_busy->setVisible(false);
    m_busy->setMinimumWidth(40); // shares the title row with the note buttons: clipped, not wider
    m_busy->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    // The neuron's note (bookmark): one elided line, the whole note in its tooltip.
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("inspectorNote"));
    m_note->setTextFormat(Qt::PlainText);
    m_note->setMinimumWidth(40);
    m_note->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_noteButton = new QPushButton(tr("Add note\u2026"), this);
    m_noteButton->setToolTip(tr("Bookmark this neuron with a label, tags and a note (saved in "
                                "the session, listed in the Notes view)"));
    m_noteRemove = new QPushButton(tr("Remove note"), this);
    connect(m_noteButton, &QPushButton::clicked, this, &NeuronInspector::noteEditRequested);
    connect(m_noteRemove, &QPushButton::clicked, this, &NeuronInspector::noteRemoveRequested);
    // The note buttons follow the title (left, where a narrow dock still shows them) and the note
    // takes its own line only when there is one, so the per-class table starts high in a short
    // dock.
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title);
    titleRow->addSpacing(12);
    titleRow->addWidget(m_noteButton);
    titleRow->addWidget(m_noteRemove);
    titleRow->addWidget(m_busy, 1);
    titleRow->addStretch(1); // keeps the buttons at their size while the busy line is hidden
    lay->addLayout(titleRow);
    lay->addWidget(m_note);
    m_note->setVisible(false);
    lay->addWidget(m_summary);

    m_classModel = new NeuronClassModel(this);
    m_classProxy = new ValueSortProxyModel(this);
    m_classProxy->setSourceModel(m_classModel);
    m_classes = makeTable(m_classProxy, NeuronClassModel::Class, this);
    // The stretched class column never shrinks below its header text (plus the sort arrow).
    m_classes->horizontalHeader()->setMinimumSectionSize(
        m_classes->horizontalHeader()->fontMetrics().horizontalAdvance(tr("Class")) + 28);
    m_classes->setItemDelegateForColumn(NeuronClassModel::Weight, new BarDelegate(m_classes));
    m_classes->setItemDelegateForColumn(NeuronClassModel::Mean, new BarDelegate(m_classes));
    m_classes->setToolTip(tr("Probe weight of this neuron for each class, its rank for the "
                             "class, and its activation on tokens with that gold label. Click a "
                             "header to sort."));
    // At least 8 class rows stay visible however the splitter is dragged (even when a narrow
    // dock adds a horizontal scroll bar).
    m_classes->setMinimumHeight(m_classes->horizontalHeader()->sizeHint().height()
                                + 8 * m_classes->verticalHeader()->defaultSectionSize()
                                + m_classes->horizontalScrollBar()->sizeHint().height()
                                + 2 * m_classes->frameWidth());

    m_wordsModel = new TopWordsModel(this);
    m_wordsProxy = new ValueSortProxyModel(this);
    m_wordsProxy->setSourceModel(m_wordsModel);
    m_words = makeTable(m_wordsProxy, TopWordsModel::Word, this);
    m_words->setItemDelegateForColumn(TopWordsModel::MeanActivation, new BarDelegate(m_words));
    m_words->setToolTip(tr("Words with extreme activations (NeuroX top words: mean |z| per word "
                           "type, normalised by the maximum). The signed mean tells positive "
                           "from negative extremes."));
    m_minCount = new QSpinBox(this);
    m_minCount->setRange(1, 100000);
    m_minCount->setValue(3);
    m_minCount->setToolTip(tr("Leave out word types seen fewer times than this (1 = every type, "
                              "as NeuroX); the scores are normalised over the types kept"));
    connect(m_minCount, &QSpinBox::valueChanged, this, &NeuronInspector::minWordCountChanged);
    auto *wordsBox = new QWidget(this);
    auto *wordsLay = new QVBoxLayout(wordsBox);
    wordsLay->setContentsMargins(0, 0, 0, 0);
    wordsLay->setSpacing(2);
    auto *countRow = new QHBoxLayout;
    auto *countLabel = new QLabel(tr("Types seen at least"), wordsBox);
    countLabel->setBuddy(m_minCount);
    countRow->addWidget(countLabel);
    countRow->addWidget(m_minCount);
    countRow->addWidget(new QLabel(tr("times"), wordsBox));
    countRow->addStretch(1);
    wordsLay->addLayout(countRow);
    wordsLay->addWidget(m_words, 1);
    connect(m_words, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QModelIndex source = m_wordsProxy->mapToSource(index);
        if (source.isValid())
            Q_EMIT wordActivated(m_wordsModel->words()[size_t(source.row())].word);
    });

    m_sentenceTabs = new QTabWidget(this);
    m_sentenceTabs->setDocumentMode(true);
    for (QListWidget **list : {&m_sentences, &m_negative}) {
        *list = new QListWidget(this);
        (*list)->setTextElideMode(Qt::ElideRight);
        (*list)->setUniformItemSizes(true);
        (*list)->setAlternatingRowColors(true);
        connect(*list, &QListWidget::itemActivated, this, &NeuronInspector::onSentenceActivated);
    }
    m_sentenceTabs->addTab(m_sentences, tr("Most positive"));
    m_sentenceTabs->addTab(m_negative, tr("Most negative"));
    m_sentenceTabs->setTabToolTip(0, tr("Sentences with the highest maximum activation"));
    m_sentenceTabs->setTabToolTip(1, tr("Sentences with the lowest minimum activation"));

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(section(tr("Per class"), m_classes, split));
    split->addWidget(section(tr("Top words"), wordsBox, split));
    split->addWidget(section(tr("Sentences (double-click to show)"), m_sentenceTabs, split));
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 2);
    lay->addWidget(split, 1);

    clear();
}

NeuronInspector::~NeuronInspector() = default;

void NeuronInspector::setBusy(bool busy)
{
    m_busy->setVisible(busy);
}

bool NeuronInspector::isBusy() const
{
    return !m_busy->isHidden();
}

QSize NeuronInspector::sizeHint() const
{
    // Wide enough for every column of the per-class table (header and current contents), so
    // nothing is clipped at the default size.
    const QHeaderView *header = m_classes->horizontalHeader();
    int columns = 2 * m_classes->frameWidth() + m_classes->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < header->count(); ++c)
        columns += std::max(header->sectionSizeHint(c), header->sectionSize(c));
    const QMargins m = layout()->contentsMargins();
    return {std::max(460, columns + m.left() + m.right()), 640};
}

void NeuronInspector::clear()
{
    m_hasNeuron = false;
    m_info = {};
    m_profile = {};
    fillSummary();
    m_classModel->clear();
    m_wordsModel->clear();
    fillSentences();
    setNote(nullptr);
}

void NeuronInspector::setNeuron(const NeuronSummary &info, const NeuronProfile &profile)
{
    m_hasNeuron = true;
    m_info = info;
    m_profile = profile;
    fillSummary();
    m_classModel->setNeuron(m_info, m_profile);
    m_wordsModel->setWords(m_profile.topWords);
    // A new neuron opens in core's order (classes by |W| descending, words by score).
    m_classes->sortByColumn(NeuronClassModel::Order, Qt::AscendingOrder);
    m_words->sortByColumn(TopWordsModel::Order, Qt::AscendingOrder);
    fillSentences();
    // The note follows with setNote (the window knows the notes); until then the button acts on
    // this neuron.
    m_noteButton->setEnabled(m_info.id.isValid());
    layout()->activate(); // the summary's line count may have changed
}

QString NeuronInspector::summaryText() const
{
    return m_title->text() + QLatin1Char('\n') + m_summary->text();
}

void NeuronInspector::fillSummary()
{
    if (!m_hasNeuron) {
        m_title->setText(tr("No neuron selected"));
        m_summary->setText(tr("Select a neuron in the heatmap or a ranking to inspect it."));
        return;
    }
    const NeuronSummary &i = m_info;
    const NeuronId id = i.id;
    m_title->setText(id.isValid() ? tr("Layer %1 \u00b7 unit %2").arg(id.layer).arg(id.unit)
                                  : tr("Column %1").arg(m_profile.column));
    QStringList lines;
    const int flat = i.flatIndex >= 0 ? i.flatIndex : m_profile.flatNeuron;
    const int column = i.column >= 0 ? i.column : m_profile.column;
    lines << tr("NeuroX flat index %1 \u00b7 column %2 of the loaded matrix").arg(flat).arg(column);
    if (i.overallRank > 0)
        lines << tr("Overall rank by weight mass: %1 of %2 (1 = most salient)")
                     .arg(i.overallRank)
                     .arg(i.neurons);
    else
        lines << tr("Overall rank: no probe trained yet");
    if (m_profile.rows > 0)
        lines << tr("Activation over %1 tokens: mean %2 \u00b1 %3, range [%4, %5]")
                     .arg(m_profile.rows)
                     .arg(displayNumber(m_profile.mean), displayNumber(m_profile.stddev),
                          displayNumber(double(m_profile.min)),
                          displayNumber(double(m_profile.max)));
    m_summary->setText(lines.join(QLatin1Char('\n')));
}

void NeuronInspector::fillSentences()
{
    fillSentenceList(m_sentences,
                     m_hasNeuron ? m_profile.sentences : std::vector<SentenceActivation>{});
    fillSentenceList(m_negative,
                     m_hasNeuron ? m_profile.negativeSentences : std::vector<SentenceActivation>{});
}

void NeuronInspector::fillSentenceList(QListWidget *list,
                                       const std::vector<SentenceActivation> &sentences)
{
    list->clear();
    for (const SentenceActivation &s : sentences) {
        const QString text = s.tokens.join(QLatin1Char(' '));
        auto *item = new QListWidgetItem(
            tr("#%1  (%2)  %3").arg(s.sentence).arg(displayNumber(s.score, 3), text), list);
        item->setData(Qt::UserRole, qint64(s.sentence));
        QString peak;
        if (s.peak >= 0 && s.peak < s.tokens.size())
            peak = tr("<br/>peak at token %1: %2")
                       .arg(s.peak + 1)
                       .arg(s.tokens[s.peak].toHtmlEscaped());
        // Rich text with escaped content: tokens are shown literally.
        item->setToolTip(tr("<qt>Sentence #%1, score %2%3<br/>%4</qt>")
                             .arg(s.sentence)
                             .arg(displayNumber(s.score), peak, text.toHtmlEscaped()));
    }
}

void NeuronInspector::setNote(const NeuronNote *note)
{
    m_hasNote = note != nullptr;
    m_noteButton->setEnabled(m_hasNeuron && m_info.id.isValid());
    m_noteButton->setText(m_hasNote ? tr("Edit note\u2026") : tr("Add note\u2026"));
    m_noteRemove->setVisible(m_hasNote);
    m_note->setVisible(m_hasNote);
    if (!note) {
        m_note->clear();
        m_note->setToolTip({});
        return;
    }
    QString line = tr("\u2605 %1").arg(note->label.isEmpty() ? tr("(no label)") : note->label);
    if (!note->tags.isEmpty())
        line += QStringLiteral("  [%1]").arg(note->tags.join(QStringLiteral(", ")));
    line += QStringLiteral("  \u00b7 %1").arg(noteSourceName(note->source));
    if (!note->text.isEmpty())
        line += QStringLiteral("  \u2014 ")
                + QString(note->text).replace(QLatin1Char('\n'), QLatin1Char(' '));
    m_note->setText(line);
    m_note->setToolTip(note->text.isEmpty() ? line : line + QLatin1Char('\n') + note->text);
}

QString NeuronInspector::noteText() const
{
    return m_hasNote ? m_note->text() : QString();
}

void NeuronInspector::onSentenceActivated(QListWidgetItem *item)
{
    if (item)
        Q_EMIT sentenceActivated(item->data(Qt::UserRole).toLongLong());
}

} // namespace salient::ui
