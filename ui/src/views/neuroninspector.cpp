#include "salient/ui/views/neuroninspector.h"

#include "salient/analyses/experiment.h"
#include "salient/probe/probe.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::ui {

namespace {

constexpr int kValueRole = Qt::UserRole;        // the number behind a cell (sorting, bars)
constexpr int kBarScaleRole = Qt::UserRole + 1; // > 0: draw a bar of value / scale

QString formatNumber(double v, int digits = 4)
{
    if (!std::isfinite(v))
        return QStringLiteral("\u2014");
    QString s = QString::number(v, 'g', digits);
    if (s.startsWith(QLatin1Char('-')))
        s.replace(0, 1, QChar(0x2212));
    return s;
}

/// A cell showing formatted text and sorting by its number (unknown values sort first
/// ascending, i.e. last when sorted descending).
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(double value, const QString &text) : QTableWidgetItem(text)
    {
        setData(kValueRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        setFlags(flags() & ~Qt::ItemIsEditable);
    }
    bool operator<(const QTableWidgetItem &other) const override
    {
        double a = data(kValueRole).toDouble();
        double b = other.data(kValueRole).toDouble();
        if (std::isnan(a))
            a = -std::numeric_limits<double>::infinity();
        if (std::isnan(b))
            b = -std::numeric_limits<double>::infinity();
        return a < b;
    }
};

QTableWidgetItem *textItem(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

QTableWidgetItem *numberItem(double value, int digits = 4)
{
    return new NumberItem(value, formatNumber(value, digits));
}

QTableWidgetItem *countItem(qint64 n)
{
    return new NumberItem(double(n), QString::number(n));
}

QTableWidgetItem *rankItem(int rank)
{
    return rank > 0
               ? new NumberItem(rank, QString::number(rank))
               : new NumberItem(std::numeric_limits<double>::quiet_NaN(), QStringLiteral("\u2014"));
}

/// Draws a signed bar behind the number (blue positive, red negative: the NeuroX colours of the
/// word view), from the cell's centre line.
class BarDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *p, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        const double scale = index.data(kBarScaleRole).toDouble();
        const double v = index.data(kValueRole).toDouble();
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

QTableWidget *makeTable(const QStringList &headers, const QStringList &tips, int stretch,
                        QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->setVisible(false);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setAlternatingRowColors(true);
    t->setWordWrap(false);
    for (int c = 0; c < headers.size() && c < tips.size(); ++c)
        t->horizontalHeaderItem(c)->setToolTip(tips[c]);
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
    m_busy = new QLabel(tr("Computing the neuron's profile\u2026"), this);
    m_busy->setObjectName(QStringLiteral("inspectorBusy"));
    m_busy->setStyleSheet(QStringLiteral("color: #8a5a00; font-style: italic;"));
    m_busy->setVisible(false);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_busy);
    lay->addLayout(titleRow);
    lay->addWidget(m_summary);

    m_classes = makeTable(
        {tr("#"), tr("Class"), tr("Weight"), tr("|W|"), tr("Rank"), tr("Tokens"), tr("Mean"),
         tr("Std")},
        {tr("Order by |W| (core's order)"), tr("Class (gold label)"),
         tr("Probe weight of this neuron for the class"), tr("Absolute probe weight"),
         tr("Rank of this neuron for the class (1 = most salient)"),
         tr("Tokens with this gold label"), tr("Mean activation on tokens with this gold label"),
         tr("Standard deviation of the activation on those tokens")},
        1, this);
    // The stretched class column never shrinks below its header text (plus the sort arrow).
    m_classes->horizontalHeader()->setMinimumSectionSize(
        m_classes->horizontalHeader()->fontMetrics().horizontalAdvance(tr("Class")) + 28);
    m_classes->setItemDelegateForColumn(2, new BarDelegate(m_classes));
    m_classes->setItemDelegateForColumn(6, new BarDelegate(m_classes));
    m_classes->setToolTip(tr("Probe weight of this neuron for each class, its rank for the "
                             "class, and its activation on tokens with that gold label. Click a "
                             "header to sort."));

    m_words = makeTable({tr("#"), tr("Word"), tr("Score"), tr("Mean activation"), tr("Count")},
                        {tr("Order by score (core's order)"), tr("Word type"),
                         tr("Mean |z| of the type divided by the maximum type score"),
                         tr("Signed mean activation of the type"), tr("Tokens of the type")},
                        1, this);
    m_words->setItemDelegateForColumn(3, new BarDelegate(m_words));
    m_words->setToolTip(tr("Words with extreme activations (NeuroX top words: mean |z| per word "
                           "type, normalised by the maximum). The signed mean tells positive "
                           "from negative extremes."));
    connect(m_words, &QTableWidget::cellActivated, this, [this](int row, int) {
        if (const QTableWidgetItem *item = m_words->item(row, 1))
            Q_EMIT wordActivated(item->text());
    });

    m_sentences = new QListWidget(this);
    m_sentences->setTextElideMode(Qt::ElideRight);
    m_sentences->setUniformItemSizes(true);
    m_sentences->setAlternatingRowColors(true);
    connect(m_sentences, &QListWidget::itemActivated, this, &NeuronInspector::onSentenceActivated);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    split->addWidget(section(tr("Per class"), m_classes, split));
    split->addWidget(section(tr("Top words"), m_words, split));
    split->addWidget(section(tr("Top sentences (double-click to show)"), m_sentences, split));
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
    return {460, 640};
}

void NeuronInspector::clear()
{
    m_hasNeuron = false;
    m_info = {};
    m_profile = {};
    fillSummary();
    fillClasses();
    fillWords();
    fillSentences();
}

void NeuronInspector::setNeuron(const NeuronSummary &info, const NeuronProfile &profile)
{
    m_hasNeuron = true;
    m_info = info;
    m_profile = profile;
    fillSummary();
    fillClasses();
    fillWords();
    fillSentences();
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
                     .arg(formatNumber(m_profile.mean), formatNumber(m_profile.stddev),
                          formatNumber(double(m_profile.min)), formatNumber(double(m_profile.max)));
    m_summary->setText(lines.join(QLatin1Char('\n')));
}

void NeuronInspector::fillClasses()
{
    m_classes->setSortingEnabled(false);
    m_classes->setRowCount(0);
    if (!m_hasNeuron)
        return;
    // The probe's classes in core's order (|W| descending), then labels only the profile knows.
    QStringList names;
    for (const ClassWeight &c : m_info.classes)
        names << c.name;
    for (const LabelActivation &l : m_profile.labels)
        if (!names.contains(l.name))
            names << l.name;

    double maxW = 0, maxMean = 0;
    for (const ClassWeight &c : m_info.classes)
        if (std::isfinite(c.weight))
            maxW = std::max(maxW, c.absWeight);
    for (const LabelActivation &l : m_profile.labels)
        if (std::isfinite(l.mean))
            maxMean = std::max(maxMean, std::abs(l.mean));

    const double nan = std::numeric_limits<double>::quiet_NaN();
    m_classes->setRowCount(int(names.size()));
    for (int r = 0; r < names.size(); ++r) {
        const ClassWeight *cw =
            r < int(m_info.classes.size()) ? &m_info.classes[size_t(r)] : nullptr;
        const double w = cw ? cw->weight : nan;
        const int rank = cw ? cw->labelRank : 0;
        const auto la = std::find_if(m_profile.labels.begin(), m_profile.labels.end(),
                                     [&](const LabelActivation &l) { return l.name == names[r]; });
        const bool hasStats = la != m_profile.labels.end();

        m_classes->setItem(r, 0, countItem(r + 1));
        m_classes->setItem(r, 1, textItem(names[r]));
        QTableWidgetItem *wi = numberItem(w);
        wi->setData(kBarScaleRole, maxW);
        m_classes->setItem(r, 2, wi);
        m_classes->setItem(r, 3, numberItem(std::abs(w)));
        m_classes->setItem(r, 4, rankItem(rank));
        m_classes->setItem(r, 5, hasStats ? countItem(la->count) : numberItem(nan));
        QTableWidgetItem *mi = numberItem(hasStats ? la->mean : nan);
        mi->setData(kBarScaleRole, maxMean);
        m_classes->setItem(r, 6, mi);
        m_classes->setItem(r, 7, numberItem(hasStats ? la->stddev : nan));
    }
    m_classes->setSortingEnabled(true);
    m_classes->sortByColumn(0, Qt::AscendingOrder);
}

void NeuronInspector::fillWords()
{
    m_words->setSortingEnabled(false);
    m_words->setRowCount(0);
    if (!m_hasNeuron)
        return;
    double maxMean = 0;
    for (const TopWord &w : m_profile.topWords)
        if (std::isfinite(w.meanActivation))
            maxMean = std::max(maxMean, std::abs(w.meanActivation));
    m_words->setRowCount(int(m_profile.topWords.size()));
    for (int r = 0; r < int(m_profile.topWords.size()); ++r) {
        const TopWord &w = m_profile.topWords[size_t(r)];
        m_words->setItem(r, 0, countItem(r + 1));
        m_words->setItem(r, 1, textItem(w.word));
        m_words->setItem(r, 2, numberItem(w.score, 3));
        QTableWidgetItem *mi = numberItem(w.meanActivation);
        mi->setData(kBarScaleRole, maxMean);
        m_words->setItem(r, 3, mi);
        m_words->setItem(r, 4, countItem(w.count));
    }
    m_words->setSortingEnabled(true);
    m_words->sortByColumn(0, Qt::AscendingOrder);
}

void NeuronInspector::fillSentences()
{
    m_sentences->clear();
    if (!m_hasNeuron)
        return;
    for (const SentenceActivation &s : m_profile.sentences) {
        const QString text = s.tokens.join(QLatin1Char(' '));
        auto *item = new QListWidgetItem(
            tr("#%1  (%2)  %3").arg(s.sentence).arg(formatNumber(s.score, 3), text), m_sentences);
        item->setData(Qt::UserRole, qint64(s.sentence));
        QString peak;
        if (s.peak >= 0 && s.peak < s.tokens.size())
            peak = tr("<br/>peak at token %1: %2")
                       .arg(s.peak + 1)
                       .arg(s.tokens[s.peak].toHtmlEscaped());
        // Rich text with escaped content: tokens are shown literally.
        item->setToolTip(tr("<qt>Sentence #%1, score %2%3<br/>%4</qt>")
                             .arg(s.sentence)
                             .arg(formatNumber(s.score), peak, text.toHtmlEscaped()));
    }
}

void NeuronInspector::onSentenceActivated(QListWidgetItem *item)
{
    if (item)
        Q_EMIT sentenceActivated(item->data(Qt::UserRole).toLongLong());
}

} // namespace salient::ui
