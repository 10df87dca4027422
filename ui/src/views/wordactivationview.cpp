// WordActivationView: the widget's state (data, colour and filter settings), interaction and
// search. Layout, colours and painting are in wordactivationpaint.cpp, figure export in
// wordactivationexport.cpp, the WordActivationData builders in wordactivationdata.cpp.
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

} // namespace salient::ui
