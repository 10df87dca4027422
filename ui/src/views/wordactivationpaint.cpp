// WordActivationView: colours, layout, scrolling and painting of the per-word activation
// document (on screen and, through paintDocument, in exported figures).
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

} // namespace

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
    return activationColour(a, limit, m_scheme);
}

QColor WordActivationView::activationColour(double a, double limit, ColourScheme scheme)
{
    if (!(limit > 0) || a == 0 || !std::isfinite(a) || !std::isfinite(limit))
        return {};
    const double o = std::min(1.0, std::abs(a) / limit);
    if (scheme == ColourScheme::Diverging)
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
    if (m_useFigureFont)
        return m_figureFont;
    QFont f = font();
    if (f.pixelSize() <= 0)
        f.setPixelSize(std::max(8, QFontInfo(font()).pixelSize()));
    return f;
}

QFont WordActivationView::smallFont() const
{
    QFont f = tokenFont();
    f.setPixelSize(std::max(m_useFigureFont ? 4 : 8, int(std::lround(f.pixelSize() * 0.8))));
    return f;
}

QString WordActivationView::headerText(int sentence) const
{
    const WordSentence &s = m_data.sentences[size_t(sentence)];
    QString text = s.record >= 0 ? QStringLiteral("#%1").arg(s.record)
                                 : QStringLiteral("Sentence %1").arg(sentence + 1);
    if (!s.group.isEmpty())
        text = s.group + QStringLiteral(" \u00b7 ") + text;
    if (std::isfinite(m_sentenceMax[size_t(sentence)])) {
        double lowest = std::numeric_limits<double>::infinity();
        for (float a : s.activations)
            if (std::isfinite(a))
                lowest = std::min(lowest, double(a));
        text += QStringLiteral("   min %1   max %2   max|a| %3")
                    .arg(formatNumber(lowest), formatNumber(m_sentenceMax[size_t(sentence)]),
                         formatNumber(m_sentenceAbs[size_t(sentence)]));
    }
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
        // Wrapped to the width (a single-column figure cut it mid-word).
        const double w = std::max(50.0, width - 2 * kMargin);
        const QRectF used =
            tm.boundingRect(QRectF(kMargin, y, w, 1e6), Qt::TextWordWrap, m_data.title);
        L.title = QRectF(kMargin, y, w, std::max(tm.height(), used.height()));
        y += L.title.height() + 4;
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

void WordActivationView::setEmptyText(const QString &text)
{
    m_emptyText = text;
    viewport()->update();
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
        p.drawText(L.title, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, m_data.title);
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
        p.drawText(QRectF(viewport()->rect().adjusted(12, 12, -12, -12)).translated(0, dy),
                   Qt::AlignCenter | Qt::TextWordWrap,
                   m_emptyText.isEmpty() ? tr("No sentences to show. Select a neuron.")
                                         : m_emptyText);
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

} // namespace salient::ui
