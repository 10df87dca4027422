#include "salient/ui/views/wordactivationview.h"

#include "salient/util/error.h"

#include <QEvent>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QImage>
#include <QKeyEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QScrollBar>
#include <QSet>
#include <QSvgGenerator>
#include <QTextOption>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace salient::ui {

namespace {

// Layout constants in logical pixels.
constexpr double kMargin = 10;      // around the document
constexpr double kVPad = 2;         // above and below a token's text inside its box
constexpr double kLineGap = 4;      // between two token lines
constexpr double kSentenceGap = 12; // between two sentences
constexpr double kLegendWidth = 220;
constexpr double kLegendHeight = 12;

const QColor kNeuroxNegative(0xd3, 0x5f, 0x5f); // #d35f5f
const QColor kNeuroxPositive(0x00, 0xaa, 0xd4); // #00aad4

// Diverging blue–white–orange map: orange for negative, blue for positive (distinguishable with
// protanopia, deuteranopia and tritanopia; lightness is symmetric around the white centre).
struct Stop {
    double t;
    QRgb rgb;
};
constexpr Stop kDiverging[] = {
    {-1.0, 0xffb35806}, {-0.5, 0xfff1a340}, {0.0, 0xfff7f7f7}, {0.5, 0xff67a9cf}, {1.0, 0xff2166ac},
};

QColor divergingColour(double t)
{
    t = std::clamp(t, -1.0, 1.0);
    for (size_t i = 1; i < std::size(kDiverging); ++i) {
        const Stop &lo = kDiverging[i - 1];
        const Stop &hi = kDiverging[i];
        if (t <= hi.t) {
            const double f = (t - lo.t) / (hi.t - lo.t);
            auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
            return QColor(mix(qRed(lo.rgb), qRed(hi.rgb)), mix(qGreen(lo.rgb), qGreen(hi.rgb)),
                          mix(qBlue(lo.rgb), qBlue(hi.rgb)));
        }
    }
    return QColor::fromRgb(kDiverging[std::size(kDiverging) - 1].rgb);
}

QString formatNumber(double v)
{
    QString s = QString::number(v, 'g', 3);
    if (s.startsWith(QLatin1Char('-')))
        s.replace(0, 1, QChar(0x2212));
    return s;
}

bool detectRtl(const WordSentence &s)
{
    if (s.direction == Qt::RightToLeft)
        return true;
    if (s.direction == Qt::LeftToRight)
        return false;
    return s.tokens.join(QLatin1Char(' ')).isRightToLeft();
}

// Colours of the painted document: the palette on screen, fixed black on white in exports.
struct Ink {
    QColor text, secondary, background, frame;
};

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

// ---- data helpers -------------------------------------------------------------------------------

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

// ---- the view -----------------------------------------------------------------------------------

WordActivationView::WordActivationView(QWidget *parent) : QAbstractScrollArea(parent)
{
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(true);
    viewport()->setMouseTracking(false);
    relayout();
}

WordActivationView::~WordActivationView() = default;

void WordActivationView::setData(WordActivationData data)
{
    m_data = std::move(data);
    sanitise();
    recomputeScale();
    m_selection.clear();
    m_anchor = {-1, -1};
    recomputeOrder();
    relayout();
    verticalScrollBar()->setValue(0);
    rematch();
    viewport()->update();
}

void WordActivationView::sanitise()
{
    for (WordSentence &s : m_data.sentences) {
        const qsizetype n = std::min(s.tokens.size(), s.activations.size());
        s.tokens.resize(n);
        s.activations.resize(n);
        if (!s.labels.isEmpty()) {
            s.labels.resize(std::min(s.labels.size(), n));
            while (s.labels.size() < n)
                s.labels << QString();
        }
        if (!s.rows.isEmpty()) {
            const qsizetype had = s.rows.size();
            s.rows.resize(n);
            for (qsizetype i = had; i < n; ++i)
                s.rows[i] = -1;
        }
    }
}

void WordActivationView::recomputeScale()
{
    const size_t n = m_data.sentences.size();
    m_sentenceMax.assign(n, -std::numeric_limits<double>::infinity());
    m_sentenceAbs.assign(n, 0.0);
    m_globalAbs = 0;
    for (size_t i = 0; i < n; ++i) {
        for (float a : m_data.sentences[i].activations) {
            if (!std::isfinite(a))
                continue;
            m_sentenceMax[i] = std::max(m_sentenceMax[i], double(a));
            m_sentenceAbs[i] = std::max(m_sentenceAbs[i], std::abs(double(a)));
        }
        m_globalAbs = std::max(m_globalAbs, m_sentenceAbs[i]);
    }
}

void WordActivationView::recomputeOrder()
{
    m_order.resize(int(m_data.sentences.size()));
    std::iota(m_order.begin(), m_order.end(), 0);
    if (m_sorted) {
        std::stable_sort(m_order.begin(), m_order.end(), [this](int a, int b) {
            return m_sentenceMax[size_t(a)] > m_sentenceMax[size_t(b)];
        });
    }
}

void WordActivationView::setColourScheme(ColourScheme scheme)
{
    if (scheme == m_scheme)
        return;
    m_scheme = scheme;
    relayout(); // the legend caption changes
    viewport()->update();
}

void WordActivationView::setNormalisation(Normalisation normalisation)
{
    if (normalisation == m_norm)
        return;
    m_norm = normalisation;
    relayout(); // the legend text changes
    viewport()->update();
}

void WordActivationView::setTopTokensFilter(bool on)
{
    if (on == m_topTokens)
        return;
    m_topTokens = on;
    relayout();
    viewport()->update();
}

void WordActivationView::setShowLabels(bool on)
{
    if (on == m_showLabels)
        return;
    m_showLabels = on;
    relayout();
    viewport()->update();
}

void WordActivationView::setShowLegend(bool on)
{
    if (on == m_showLegend)
        return;
    m_showLegend = on;
    relayout();
    viewport()->update();
}

void WordActivationView::setSortByActivation(bool on)
{
    if (on == m_sorted)
        return;
    m_sorted = on;
    recomputeOrder();
    relayout();
    rematch();
    viewport()->update();
}

double WordActivationView::colourLimit(int sentence) const
{
    if (sentence < 0 || size_t(sentence) >= m_data.sentences.size())
        return 0;
    return m_norm == Normalisation::Global ? m_globalAbs : m_sentenceAbs[size_t(sentence)];
}

double WordActivationView::shownActivation(int sentence, int token) const
{
    const float a = m_data.sentences[size_t(sentence)].activations[token];
    if (!std::isfinite(a))
        return 0;
    // In float, as NeuroX compares float32 activations (0.8f must be filtered at max 1).
    if (m_topTokens && std::abs(a) <= float(0.8 * m_sentenceAbs[size_t(sentence)]))
        return 0;
    return a;
}

QColor WordActivationView::colourFor(double a, double limit) const
{
    if (!(limit > 0) || a == 0 || !std::isfinite(a) || !std::isfinite(limit))
        return {};
    const double o = std::min(1.0, std::abs(a) / limit);
    if (m_scheme == ColourScheme::Diverging)
        return divergingColour(a > 0 ? o : -o);
    QColor c = a > 0 ? kNeuroxPositive : kNeuroxNegative;
    c.setAlphaF(float(1.0 - (1.0 - o) * (1.0 - o)));
    return c;
}

QColor WordActivationView::tokenColour(int sentence, int token) const
{
    if (sentence < 0 || size_t(sentence) >= m_data.sentences.size() || token < 0
        || token >= m_data.sentences[size_t(sentence)].tokens.size())
        return {};
    return colourFor(shownActivation(sentence, token), colourLimit(sentence));
}

QRect WordActivationView::tokenRect(int sentence, int token) const
{
    if (sentence < 0 || size_t(sentence) >= m_layout.sentences.size() || token < 0
        || size_t(token) >= m_layout.sentences[size_t(sentence)].tokens.size())
        return {};
    return m_layout.sentences[size_t(sentence)]
        .tokens[size_t(token)]
        .box.translated(0, -scrollY())
        .toRect();
}

QFont WordActivationView::tokenFont() const
{
    QFont f = font();
    if (f.pixelSize() <= 0)
        f.setPixelSize(std::max(8, QFontInfo(font()).pixelSize()));
    return f;
}

QFont WordActivationView::smallFont() const
{
    QFont f = tokenFont();
    f.setPixelSize(std::max(8, int(std::lround(f.pixelSize() * 0.8))));
    return f;
}

QString WordActivationView::headerText(int sentence) const
{
    const WordSentence &s = m_data.sentences[size_t(sentence)];
    QString text = s.record >= 0 ? QStringLiteral("#%1").arg(s.record)
                                 : QStringLiteral("Sentence %1").arg(sentence + 1);
    if (std::isfinite(m_sentenceMax[size_t(sentence)]))
        text += QStringLiteral("   max %1   max|a| %2")
                    .arg(formatNumber(m_sentenceMax[size_t(sentence)]),
                         formatNumber(m_sentenceAbs[size_t(sentence)]));
    return text;
}

QString WordActivationView::legendLimitText(bool negative) const
{
    const QString sign = negative ? QString(QChar(0x2212)) : QStringLiteral("+");
    if (m_norm == Normalisation::PerSentence)
        return sign + QStringLiteral("max|a|");
    return m_globalAbs > 0 ? sign + formatNumber(m_globalAbs) : sign + QStringLiteral("0");
}

QString WordActivationView::legendCaption() const
{
    return (m_scheme == ColourScheme::NeuroX ? tr("NeuroX colours") : tr("Diverging colour map"))
           + (m_norm == Normalisation::PerSentence ? tr(", scaled per sentence by its max|a|")
                                                   : tr(", scaled over all shown sentences"))
           + (m_topTokens ? tr(", top tokens only (|a| > 0.8 max|a|)") : QString());
}

WordActivationView::Layout WordActivationView::computeLayout(double width) const
{
    Layout L;
    L.width = width;
    const QFontMetricsF fm(tokenFont());
    const QFontMetricsF sm(smallFont());
    QFont titleFont = tokenFont();
    titleFont.setBold(true);
    const QFontMetricsF tm(titleFont);

    double y = kMargin;
    if (!m_data.title.isEmpty()) {
        L.title = QRectF(kMargin, y, width - 2 * kMargin, tm.height());
        y += tm.height() + 4;
    }
    if (m_showLegend) {
        L.legendBar = QRectF(kMargin + sm.horizontalAdvance(legendLimitText(true)) / 2, y,
                             kLegendWidth, kLegendHeight);
        // The caption goes to the right of the bar when it fits, else under it (wrapped).
        const QString caption = legendCaption();
        const double cx =
            L.legendBar.right() + sm.horizontalAdvance(legendLimitText(false)) / 2 + 12;
        const double textW = sm.horizontalAdvance(caption) + 2;
        y += kLegendHeight + 2 + sm.height();
        if (cx + textW <= width - kMargin) {
            L.caption = QRectF(cx, L.legendBar.top() - 2, textW, sm.height());
        } else {
            const QRectF box(kMargin, y + 2, std::max(50.0, width - 2 * kMargin), 1e6);
            const QRectF used = sm.boundingRect(box, Qt::TextWordWrap, caption);
            L.caption = QRectF(box.left(), box.top(), box.width(), used.height());
            y = L.caption.bottom();
        }
        y += kSentenceGap;
    } else if (!m_data.title.isEmpty()) {
        y += kSentenceGap / 2;
    }

    const double boxH = fm.height() + 2 * kVPad;
    const double labelH = m_showLabels ? sm.height() + 1 : 0;
    const double lineH = boxH + labelH;
    const double gap = std::max(4.0, fm.horizontalAdvance(QLatin1Char(' ')));
    const double left = kMargin, right = width - kMargin;

    L.sentences.resize(m_data.sentences.size());
    for (int idx : m_order) {
        const WordSentence &s = m_data.sentences[size_t(idx)];
        SentenceLayout &S = L.sentences[size_t(idx)];
        S.rtl = detectRtl(s);
        const double top = y;
        S.header = QRectF(left, y, right - left, sm.height());
        y += sm.height() + 2;

        double cursor = S.rtl ? right : left;
        bool lineEmpty = true;
        S.tokens.resize(size_t(s.tokens.size()));
        for (qsizetype t = 0; t < s.tokens.size(); ++t) {
            double w = fm.horizontalAdvance(s.tokens[t]);
            const bool hasLabel = m_showLabels && t < s.labels.size();
            if (hasLabel)
                w = std::max(w, sm.horizontalAdvance(s.labels[t]));
            w += 2 * tokenPadding();
            const double room = S.rtl ? cursor - left : right - cursor;
            if (!lineEmpty && w > room) {
                y += lineH + kLineGap;
                cursor = S.rtl ? right : left;
            }
            const double x = S.rtl ? cursor - w : cursor;
            TokenBox &B = S.tokens[size_t(t)];
            B.box = QRectF(x, y, w, boxH);
            if (hasLabel)
                B.label = QRectF(x, y + boxH + 1, w, sm.height());
            cursor = S.rtl ? x - gap : x + w + gap;
            lineEmpty = false;
        }
        if (!s.tokens.isEmpty())
            y += lineH;
        S.bounds = QRectF(0, top, width, y - top);
        y += kSentenceGap;
    }
    L.height = y - kSentenceGap + kMargin;
    return L;
}

void WordActivationView::relayout()
{
    const double width = std::max(200, viewport()->width());
    m_layout = computeLayout(width);
    m_docHeight = m_layout.height;
    updateScrollBars();
}

void WordActivationView::updateScrollBars()
{
    QScrollBar *bar = verticalScrollBar();
    const int h = viewport()->height();
    bar->setRange(0, std::max(0, int(std::ceil(m_docHeight)) - h));
    bar->setPageStep(std::max(1, h));
    bar->setSingleStep(std::max(1, QFontMetrics(tokenFont()).height()));
}

int WordActivationView::scrollY() const
{
    return verticalScrollBar()->value();
}

void WordActivationView::scrollToRect(const QRectF &r)
{
    const int h = viewport()->height();
    const int y = scrollY();
    if (r.top() < y + kMargin / 2)
        verticalScrollBar()->setValue(int(r.top() - kMargin));
    else if (r.bottom() > y + h - kMargin / 2)
        verticalScrollBar()->setValue(int(std::ceil(r.bottom() - h + kMargin)));
}

void WordActivationView::ensureSentenceVisible(int sentence)
{
    if (sentence < 0 || size_t(sentence) >= m_layout.sentences.size())
        return;
    const QRectF b = m_layout.sentences[size_t(sentence)].bounds;
    // A sentence taller than the viewport: show its top.
    scrollToRect(b.height() > viewport()->height() ? QRectF(b.topLeft(), QSizeF(1, 1)) : b);
}

QSize WordActivationView::sizeHint() const
{
    return {640, 400};
}

QSize WordActivationView::minimumSizeHint() const
{
    return {220, 120};
}

// ---- painting -----------------------------------------------------------------------------------

void WordActivationView::paintLegend(QPainter &p, const Layout &L) const
{
    const QRectF bar = L.legendBar;
    QLinearGradient g(bar.topLeft(), bar.topRight());
    if (m_scheme == ColourScheme::Diverging) {
        for (const Stop &s : kDiverging)
            g.setColorAt((s.t + 1) / 2, QColor::fromRgb(s.rgb));
    } else {
        // Opacity ramps on the two fixed colours, with the double-composited alpha.
        constexpr int steps = 16;
        for (int i = 0; i <= steps; ++i) {
            const double o = double(i) / steps;
            for (const bool positive : {false, true}) {
                QColor c = positive ? kNeuroxPositive : kNeuroxNegative;
                c.setAlphaF(float(1.0 - (1.0 - o) * (1.0 - o)));
                g.setColorAt(positive ? 0.5 + o / 2 : 0.5 - o / 2, c);
            }
        }
    }
    p.fillRect(bar, g);
}

void WordActivationView::paintDocument(QPainter &p, const Layout &L, const QRectF &exposed,
                                       bool onScreen) const
{
    const QPalette &pal = palette();
    QColor secondary = pal.color(QPalette::Text);
    secondary.setAlpha(165);
    const Ink ink =
        onScreen ? Ink{pal.color(QPalette::Text), secondary, pal.color(QPalette::Base),
                       pal.color(QPalette::Mid)}
                 : Ink{Qt::black, QColor(0x60, 0x60, 0x60), Qt::white, QColor(0x90, 0x90, 0x90)};
    const QFont tf = tokenFont();
    const QFont sf = smallFont();
    QFont titleFont = tf;
    titleFont.setBold(true);
    const QFontMetricsF sm(sf);

    // Title and legend.
    if (!L.title.isNull() && L.title.intersects(exposed)) {
        p.setFont(titleFont);
        p.setPen(ink.text);
        p.drawText(L.title, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, m_data.title);
    }
    if (!L.legendBar.isNull()) {
        const QRectF bar = L.legendBar;
        paintLegend(p, L);
        p.setPen(QPen(ink.frame, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        p.drawLine(QPointF(bar.center().x(), bar.top()), QPointF(bar.center().x(), bar.bottom()));
        p.setFont(sf);
        p.setPen(ink.secondary);
        const double ty = bar.bottom() + 2;
        const double h = sm.height();
        auto centred = [&](double x, const QString &text) {
            const double w = sm.horizontalAdvance(text) + 2;
            p.drawText(QRectF(x - w / 2, ty, w, h), Qt::AlignCenter | Qt::TextSingleLine, text);
        };
        centred(bar.left(), legendLimitText(true));
        centred(bar.center().x(), QStringLiteral("0"));
        centred(bar.right(), legendLimitText(false));
        p.drawText(L.caption, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, legendCaption());
    }

    QTextOption ltr(Qt::AlignCenter);
    ltr.setWrapMode(QTextOption::NoWrap);
    ltr.setTextDirection(Qt::LeftToRight);
    QTextOption rtl = ltr;
    rtl.setTextDirection(Qt::RightToLeft);

    // Sets, so that painting stays linear with many matches or a large selection.
    QSet<QPair<int, int>> matches, selection;
    if (onScreen) {
        matches = QSet<QPair<int, int>>(m_matches.cbegin(), m_matches.cend());
        selection = QSet<QPair<int, int>>(m_selection.cbegin(), m_selection.cend());
    }
    auto contains = [](const QSet<QPair<int, int>> &set, int s, int t) {
        return set.contains(qMakePair(s, t));
    };
    const QPair<int, int> current =
        m_currentMatch >= 0 ? m_matches[m_currentMatch] : qMakePair(-1, -1);

    for (int idx : m_order) {
        const SentenceLayout &S = L.sentences[size_t(idx)];
        if (!S.bounds.intersects(exposed))
            continue;
        const WordSentence &s = m_data.sentences[size_t(idx)];
        p.setFont(sf);
        p.setPen(ink.secondary);
        p.drawText(S.header,
                   (S.rtl ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter | Qt::TextSingleLine,
                   headerText(idx));
        for (size_t t = 0; t < S.tokens.size(); ++t) {
            const TokenBox &B = S.tokens[t];
            const QColor c = tokenColour(idx, int(t));
            if (c.isValid())
                p.fillRect(B.box, c);
        }
        p.setFont(tf);
        for (size_t t = 0; t < S.tokens.size(); ++t) {
            // Light text on dark boxes (the ends of the diverging map), for contrast.
            const QColor c = tokenColour(idx, int(t));
            QColor under = ink.background;
            if (c.isValid()) {
                const double a = c.alphaF();
                under = QColor::fromRgbF(float(c.redF() * a + under.redF() * (1 - a)),
                                         float(c.greenF() * a + under.greenF() * (1 - a)),
                                         float(c.blueF() * a + under.blueF() * (1 - a)));
            }
            const bool darkBox = qGray(under.rgb()) < 110;
            const bool darkText = qGray(ink.text.rgb()) < 128;
            p.setPen(darkBox && darkText ? QColor(Qt::white)
                                         : (!darkBox && !darkText ? QColor(Qt::black) : ink.text));
            p.drawText(S.tokens[t].box, s.tokens[qsizetype(t)], S.rtl ? rtl : ltr);
        }
        if (m_showLabels) {
            p.setFont(sf);
            p.setPen(ink.secondary);
            for (size_t t = 0; t < S.tokens.size(); ++t)
                if (!S.tokens[t].label.isNull())
                    p.drawText(S.tokens[t].label, s.labels[qsizetype(t)], S.rtl ? rtl : ltr);
        }
        if (!onScreen)
            continue;
        // Search matches (dashed), the current match (solid, thick), the selection (highlight
        // outline and underline): told apart by line style, not only by colour.
        p.setBrush(Qt::NoBrush);
        for (size_t t = 0; t < S.tokens.size(); ++t) {
            const QRectF box = S.tokens[t].box.adjusted(0.5, 0.5, -0.5, -0.5);
            if (current == qMakePair(idx, int(t))) {
                p.setPen(QPen(ink.text, 2.5));
                p.drawRect(box.adjusted(-1, -1, 1, 1));
            } else if (contains(matches, idx, int(t))) {
                p.setPen(QPen(ink.text, 1.2, Qt::DashLine));
                p.drawRect(box);
            }
            if (contains(selection, idx, int(t))) {
                // A ring outside the box, so it stays visible on any token colour.
                p.setPen(QPen(pal.color(QPalette::Highlight), 2));
                p.drawRoundedRect(box.adjusted(-2.5, -2.5, 2.5, 2.5), 2, 2);
            }
        }
    }
}

void WordActivationView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const int dy = scrollY();
    p.translate(0, -dy);
    const QRectF exposed = QRectF(event->rect()).translated(0, dy);
    if (m_data.sentences.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRectF(viewport()->rect()).translated(0, dy), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No sentences to show. Select a neuron."));
    }
    paintDocument(p, m_layout, exposed, true);
}

void WordActivationView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
}

void WordActivationView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        relayout();
        viewport()->update();
    }
}

// ---- interaction --------------------------------------------------------------------------------

QPair<int, int> WordActivationView::hitTest(const QPoint &pos) const
{
    const QPointF doc(pos.x(), pos.y() + scrollY());
    for (size_t s = 0; s < m_layout.sentences.size(); ++s) {
        const SentenceLayout &S = m_layout.sentences[s];
        if (!S.bounds.contains(doc))
            continue;
        for (size_t t = 0; t < S.tokens.size(); ++t) {
            if (S.tokens[t].box.contains(doc) || S.tokens[t].label.contains(doc))
                return {int(s), int(t)};
        }
        return {-1, -1};
    }
    return {-1, -1};
}

QVector<int> WordActivationView::selectedRows() const
{
    QVector<int> rows;
    for (const auto &[s, t] : m_selection) {
        const QVector<int> &r = m_data.sentences[size_t(s)].rows;
        if (t < r.size() && r[t] >= 0)
            rows << r[t];
    }
    return rows;
}

void WordActivationView::clearSelection()
{
    m_selection.clear();
    m_anchor = {-1, -1};
    viewport()->update();
}

void WordActivationView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const QPair<int, int> hit = hitTest(event->position().toPoint());
    const Qt::KeyboardModifiers mods = event->modifiers();
    if (hit.first < 0) {
        if (mods & (Qt::ShiftModifier | Qt::ControlModifier))
            return;
        if (m_selection.isEmpty())
            return;
        clearSelection();
    } else if ((mods & Qt::ShiftModifier) && m_anchor.first >= 0) {
        // Range in display order, from the anchor to the clicked token.
        QVector<QPair<int, int>> all;
        for (int s : m_order)
            for (int t = 0; t < m_data.sentences[size_t(s)].tokens.size(); ++t)
                all << qMakePair(s, t);
        qsizetype a = all.indexOf(m_anchor), b = all.indexOf(hit);
        if (a > b)
            std::swap(a, b);
        m_selection = all.mid(a, b - a + 1);
    } else if (mods & Qt::ControlModifier) {
        if (!m_selection.removeOne(hit))
            m_selection << hit;
        m_anchor = hit;
    } else {
        m_selection = {hit};
        m_anchor = hit;
    }
    viewport()->update();
    Q_EMIT tokensSelected(selectedRows());
}

void WordActivationView::mouseReleaseEvent(QMouseEvent *event)
{
    event->setAccepted(event->button() == Qt::LeftButton);
}

void WordActivationView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::FindNext)) {
        nextMatch();
    } else if (event->matches(QKeySequence::FindPrevious)) {
        previousMatch();
    } else if (event->key() == Qt::Key_Escape && !m_selection.isEmpty()) {
        clearSelection();
        Q_EMIT tokensSelected({});
    } else {
        QAbstractScrollArea::keyPressEvent(event);
    }
}

bool WordActivationView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const auto [s, t] = hitTest(help->pos());
        if (s < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const WordSentence &ws = m_data.sentences[size_t(s)];
        // Rich text with escaped content, so that a token like "<b>x</b>" shows literally.
        QString html = QStringLiteral("<qt><b>%1</b><br/>activation %2")
                           .arg(ws.tokens[t].toHtmlEscaped(),
                                QString::number(double(ws.activations[t]), 'g', 5));
        if (t < ws.labels.size())
            html += QStringLiteral("<br/>label %1").arg(ws.labels[t].toHtmlEscaped());
        if (t < ws.rows.size() && ws.rows[t] >= 0)
            html += QStringLiteral("<br/>row %1").arg(ws.rows[t]);
        if (ws.record >= 0)
            html += QStringLiteral("<br/>sentence #%1").arg(ws.record);
        html += QStringLiteral("</qt>");
        QToolTip::showText(help->globalPos(), html, viewport(), tokenRect(s, t));
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

// ---- search -------------------------------------------------------------------------------------

int WordActivationView::search(const QString &text, const SearchOptions &options)
{
    m_searchText = text;
    m_searchOptions = options;
    rematch();
    if (m_currentMatch >= 0) {
        const auto [s, t] = m_matches[m_currentMatch];
        scrollToRect(m_layout.sentences[size_t(s)].tokens[size_t(t)].box);
    }
    return matchCount();
}

void WordActivationView::rematch()
{
    m_matches.clear();
    if (!m_searchText.isEmpty()) {
        const SearchOptions &o = m_searchOptions;
        auto hit = [&](const QString &candidate) {
            return o.wholeToken ? candidate.compare(m_searchText, o.caseSensitivity) == 0
                                : candidate.contains(m_searchText, o.caseSensitivity);
        };
        for (int s : m_order) {
            const WordSentence &ws = m_data.sentences[size_t(s)];
            for (int t = 0; t < ws.tokens.size(); ++t) {
                if ((o.words && hit(ws.tokens[t]))
                    || (o.labels && t < ws.labels.size() && hit(ws.labels[t])))
                    m_matches << qMakePair(s, t);
            }
        }
    }
    m_currentMatch = m_matches.isEmpty() ? -1 : 0;
    viewport()->update();
    Q_EMIT currentMatchChanged(m_currentMatch, matchCount());
}

QPair<int, int> WordActivationView::match(int i) const
{
    return i >= 0 && i < m_matches.size() ? m_matches[i] : qMakePair(-1, -1);
}

bool WordActivationView::nextMatch()
{
    if (m_matches.isEmpty())
        return false;
    m_currentMatch = (m_currentMatch + 1) % int(m_matches.size());
    const auto [s, t] = m_matches[m_currentMatch];
    scrollToRect(m_layout.sentences[size_t(s)].tokens[size_t(t)].box);
    viewport()->update();
    Q_EMIT currentMatchChanged(m_currentMatch, matchCount());
    return true;
}

bool WordActivationView::previousMatch()
{
    if (m_matches.isEmpty())
        return false;
    const int n = int(m_matches.size());
    m_currentMatch = (m_currentMatch - 1 + n) % n;
    const auto [s, t] = m_matches[m_currentMatch];
    scrollToRect(m_layout.sentences[size_t(s)].tokens[size_t(t)].box);
    viewport()->update();
    Q_EMIT currentMatchChanged(m_currentMatch, matchCount());
    return true;
}

// ---- export -------------------------------------------------------------------------------------

bool WordActivationView::exportFigure(const QString &path, const ExportOptions &options,
                                      QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QStringLiteral("png") && suffix != QStringLiteral("svg")
        && suffix != QStringLiteral("pdf"))
        return fail(tr("Unknown figure format \"%1\": use .png, .svg or .pdf.").arg(suffix));
    if (!(options.scale > 0) || options.scale > 16)
        return fail(tr("The PNG scale must be in (0, 16]."));
    if (options.dpi < 36 || options.dpi > 2400)
        return fail(tr("The resolution must be between 36 and 2400 dpi."));
    if (options.width < 0 || options.width > 20000)
        return fail(tr("The figure width must be between 200 and 20000 pixels."));

    const double width =
        options.width > 0 ? std::max(200, options.width) : std::max(200, viewport()->width());
    const Layout L = computeLayout(width);
    const QSizeF size(width, std::ceil(L.height));
    const QRectF all(QPointF(0, 0), size);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));

    auto paint = [&](QPainter &p) {
        p.setRenderHint(QPainter::TextAntialiasing, true);
        p.fillRect(all, options.background);
        paintDocument(p, L, all, false);
    };

    if (suffix == QStringLiteral("png")) {
        const QSize px(int(std::ceil(size.width() * options.scale)),
                       int(std::ceil(size.height() * options.scale)));
        if (qint64(px.width()) * px.height() > 400'000'000)
            return fail(tr("The image would be too large (%1 × %2 pixels); lower the scale.")
                            .arg(px.width())
                            .arg(px.height()));
        QImage image(px, QImage::Format_ARGB32_Premultiplied);
        if (image.isNull())
            return fail(
                tr("Not enough memory for a %1 × %2 image.").arg(px.width()).arg(px.height()));
        image.setDevicePixelRatio(options.scale);
        const int dpm = int(std::lround(options.dpi / 0.0254));
        image.setDotsPerMeterX(dpm);
        image.setDotsPerMeterY(dpm);
        {
            QPainter p(&image);
            paint(p);
        }
        if (!image.save(&file, "PNG"))
            return fail(tr("Cannot encode the PNG image %1.").arg(path));
    } else if (suffix == QStringLiteral("svg")) {
        QSvgGenerator gen;
        gen.setOutputDevice(&file);
        gen.setSize(size.toSize());
        gen.setViewBox(all);
        gen.setResolution(96);
        gen.setTitle(m_data.title);
        gen.setDescription(tr("Per-word activations (Salient)"));
        QPainter p;
        if (!p.begin(&gen))
            return fail(tr("Cannot start the SVG writer for %1.").arg(path));
        paint(p);
        p.end();
    } else {
        QPdfWriter writer(&file);
        writer.setResolution(options.dpi);
        writer.setTitle(m_data.title);
        writer.setCreator(QStringLiteral("Salient"));
        // 96 logical pixels per inch, 72 points per inch.
        writer.setPageSize(
            QPageSize(size * 72.0 / 96.0, QPageSize::Point, QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p;
        if (!p.begin(&writer))
            return fail(tr("Cannot start the PDF writer for %1.").arg(path));
        p.scale(options.dpi / 96.0, options.dpi / 96.0);
        paint(p);
        p.end();
    }
    if (file.error() != QFileDevice::NoError || !file.commit())
        return fail(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace salient::ui
