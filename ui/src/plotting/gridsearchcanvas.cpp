#include "salient/ui/plotting/gridsearchcanvas.h"

#include <qcustomplot.h>

#include <QBoxLayout>
#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace salient::ui {

namespace {

const QColor kSelection(0xd6, 0x00, 0x7a); // magenta: distinct from viridis/cividis and grey
const QColor kNotDoneText(0x55, 0x55, 0x55);

/// A λ value as a tick label: "0", "1e-05", "0.001", "0.1".
QString lambdaText(double v)
{
    return QString::number(v, 'g', 3);
}

QCPRange cellRange(int n)
{
    return n > 1 ? QCPRange(0, n - 1) : QCPRange(-0.5, 0.5);
}

/// Black or white, whichever reads better on @p background.
QColor textColourOn(QRgb background)
{
    const double luminance =
        0.299 * qRed(background) + 0.587 * qGreen(background) + 0.114 * qBlue(background);
    return luminance > 140 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace

std::vector<GridSearchCanvas::Term> GridSearchCanvas::terms()
{
    return {Term::Score, Term::Full, Term::Top, Term::Random, Term::Bottom, Term::TopMinusRandom};
}

QString GridSearchCanvas::termName(Term term)
{
    switch (term) {
    case Term::Score:
        return QStringLiteral("score");
    case Term::Full:
        return QStringLiteral("A_full");
    case Term::Top:
        return QStringLiteral("A_top");
    case Term::Random:
        return QStringLiteral("A_random");
    case Term::Bottom:
        return QStringLiteral("A_bottom");
    case Term::TopMinusRandom:
        break;
    }
    return QStringLiteral("A_top − A_random");
}

double GridSearchCanvas::termValue(const GridCell &cell, Term term)
{
    switch (term) {
    case Term::Score:
        return cell.score;
    case Term::Full:
        return cell.full;
    case Term::Top:
        return cell.top;
    case Term::Random:
        return cell.random;
    case Term::Bottom:
        return cell.bottom;
    case Term::TopMinusRandom:
        break;
    }
    return cell.top - cell.random;
}

GridSearchCanvas::GridSearchCanvas(QWidget *parent) : PlotCanvas(parent)
{
    // The chooser row above the plot (a widget, so it is not part of exported figures).
    auto *row = new QWidget(this);
    auto *rowLayout = new QHBoxLayout(row);
    rowLayout->setContentsMargins(6, 4, 6, 2);
    auto *label = new QLabel(tr("Show:"), row);
    m_chooser = new QComboBox(row);
    m_chooser->setObjectName(QStringLiteral("gridTerm"));
    for (Term t : terms())
        m_chooser->addItem(termName(t));
    label->setBuddy(m_chooser);
    rowLayout->addWidget(label);
    rowLayout->addWidget(m_chooser);
    rowLayout->addStretch(1);
    if (auto *box = qobject_cast<QBoxLayout *>(layout()))
        box->insertWidget(0, row);
    connect(m_chooser, &QComboBox::currentIndexChanged, this, [this](int index) {
        const std::vector<Term> all = terms();
        if (index >= 0 && index < int(all.size()))
            setTerm(all[std::size_t(index)]);
    });

    QCustomPlot *p = plot();
    p->xAxis->setLabel(QStringLiteral("λ2"));
    p->yAxis->setLabel(QStringLiteral("λ1"));
    for (QCPAxis *axis : {p->xAxis, p->yAxis}) {
        axis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
        axis->setSubTicks(false);
        axis->grid()->setVisible(false);
        axis->setTickLengthIn(0);
        axis->setTickLengthOut(4);
    }
    p->yAxis->setRangeReversed(true); // first λ1 row at the top, as in a table

    m_map = addColourMap(colourGradient(m_colourMap), &m_scale);

    m_caption = new QCPTextElement(p, QString());
    QFont small = p->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_caption->setFont(small);
    m_caption->setTextColor(QColor(0x33, 0x33, 0x33));
    contentLayout()->addElement(1, 0, m_caption);
    contentLayout()->setRowStretchFactor(1, 0.001);

    // Markers: the winner in black with a white inner line (visible on every colour), the
    // selection dashed magenta and inset further, so both show on the same cell.
    m_winnerOuter = new QCPItemRect(p);
    m_winnerOuter->setPen(QPen(QColor(0, 0, 0), 3.0));
    m_winnerInner = new QCPItemRect(p);
    m_winnerInner->setPen(QPen(QColor(255, 255, 255), 1.2));
    m_selection = new QCPItemRect(p);
    m_selection->setPen(QPen(kSelection, 2.0, Qt::DashLine));
    for (QCPItemRect *item : {m_winnerOuter, m_winnerInner, m_selection}) {
        item->setBrush(Qt::NoBrush);
        item->setSelectable(false);
        item->setVisible(false);
        item->setAntialiased(false); // crisp axis-aligned outlines
    }
    addDecoration(m_selection);

    // The empty state: a hint centred in the whole plot (not in the hidden axis rect).
    m_hint = new QCPItemText(p);
    m_hint->setClipToAxisRect(false);
    m_hint->position->setType(QCPItemPosition::ptViewportRatio);
    m_hint->position->setCoords(0.5, 0.5);
    m_hint->setPositionAlignment(Qt::AlignCenter);
    QFont hintFont = p->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 1.1);
    m_hint->setFont(hintFont);
    m_hint->setColor(QColor(0x66, 0x66, 0x66));
    m_hint->setSelectable(false);

    p->setMouseTracking(true);
    connect(p, &QCustomPlot::mouseMove, this, &GridSearchCanvas::onMouseMove);
    connect(p, &QCustomPlot::mousePress, this, &GridSearchCanvas::onMousePress);
    connect(p, &QCustomPlot::mouseRelease, this, &GridSearchCanvas::onMouseRelease);
    rebuild();
}

GridSearchCanvas::~GridSearchCanvas() = default;

void GridSearchCanvas::setResult(const GridSearchResult &result)
{
    m_result = result;
    if (m_result.rows <= 0 || m_result.cols <= 0
        || m_result.cells.size() != std::size_t(m_result.rows) * std::size_t(m_result.cols))
        m_result = GridSearchResult{};
    m_selected = -1;
    rebuild();
}

void GridSearchCanvas::clear()
{
    m_result = GridSearchResult{};
    m_selected = -1;
    rebuild();
}

bool GridSearchCanvas::hasResult() const
{
    return !m_result.cells.empty();
}

const GridSearchResult &GridSearchCanvas::result() const
{
    return m_result;
}

void GridSearchCanvas::setTerm(Term term)
{
    const std::vector<Term> all = terms();
    const auto it = std::find(all.begin(), all.end(), term);
    {
        const QSignalBlocker block(m_chooser);
        m_chooser->setCurrentIndex(int(it - all.begin()));
    }
    if (term == m_term)
        return;
    m_term = term;
    rebuild();
}

GridSearchCanvas::Term GridSearchCanvas::term() const
{
    return m_term;
}

void GridSearchCanvas::setSplitName(const QString &split)
{
    m_split = split;
    updateCaption();
    replot();
}

QString GridSearchCanvas::splitName() const
{
    return m_split;
}

QString GridSearchCanvas::caption() const
{
    return m_caption->text();
}

QString GridSearchCanvas::emptyHint() const
{
    return m_hint->visible() ? m_hint->text() : QString();
}

void GridSearchCanvas::setColourMap(ColourMap map)
{
    m_colourMap = map;
    m_map->setGradient(colourGradient(map));
    rebuild(); // label colours follow the cell colours
}

ColourMap GridSearchCanvas::colourMap() const
{
    return m_colourMap;
}

double GridSearchCanvas::valueAt(int index) const
{
    if (index < 0 || index >= int(m_result.cells.size()))
        return std::numeric_limits<double>::quiet_NaN();
    const GridCell &cell = m_result.cells[std::size_t(index)];
    return cell.done ? termValue(cell, m_term) : std::numeric_limits<double>::quiet_NaN();
}

QString GridSearchCanvas::cellLabel(int index) const
{
    if (index < 0 || index >= int(m_result.cells.size()))
        return {};
    const double v = valueAt(index);
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

bool GridSearchCanvas::isExcluded(int index) const
{
    if (index < 0 || index >= int(m_result.cells.size()))
        return false;
    const GridCell &cell = m_result.cells[std::size_t(index)];
    return m_result.selection == GridSelection::Guarded && cell.done && !cell.eligible;
}

QString GridSearchCanvas::tooltipForCell(int index) const
{
    if (index < 0 || index >= int(m_result.cells.size()))
        return {};
    const GridCell &cell = m_result.cells[std::size_t(index)];
    QStringList lines;
    lines << QStringLiteral("λ1 = %1, λ2 = %2").arg(lambdaText(cell.l1), lambdaText(cell.l2));
    if (!cell.done) {
        lines << tr("not done (the search was cancelled before this cell)");
        return lines.join(QLatin1Char('\n'));
    }
    for (Term t : terms())
        lines << QStringLiteral("%1 %2").arg(termName(t)).arg(termValue(cell, t), 0, 'f', 4);
    if (std::isfinite(cell.test))
        lines << QStringLiteral("A_test %1").arg(cell.test, 0, 'f', 4);
    if (m_result.selection == GridSelection::Guarded)
        lines << (cell.eligible
                      ? tr("eligible: A_full within %1 points of the most accurate cell")
                            .arg(m_result.accuracyTolerance)
                      : tr("excluded: A_full more than %1 points below the most accurate cell")
                            .arg(m_result.accuracyTolerance));
    if (index == m_result.best)
        lines << (m_result.selection == GridSelection::Guarded
                      ? tr("winner (highest score among the eligible cells)")
                      : tr("winner (highest score)"));
    return lines.join(QLatin1Char('\n'));
}

void GridSearchCanvas::rebuild()
{
    QCustomPlot *p = plot();
    for (QCPItemText *label : m_labels)
        p->removeItem(label);
    m_labels.clear();
    for (QCPItemRect *fade : m_fades)
        p->removeItem(fade);
    m_fades.clear();
    const bool has = hasResult();
    const int R = m_result.rows, C = m_result.cols;

    m_hint->setText(tr("Run a grid search to see λ1 × λ2 scores"));
    m_hint->setVisible(!has);
    // The colour scale draws through its own axis rect and axis: hide all three.
    for (QCPLayerable *layerable :
         std::initializer_list<QCPLayerable *>{p->xAxis, p->yAxis, m_map, m_scale})
        layerable->setVisible(has);
    if (QCPAxis *scaleAxis = m_scale->axis()) {
        scaleAxis->setVisible(has);
        if (QCPAxisRect *scaleRect = scaleAxis->axisRect())
            scaleRect->setVisible(has);
    }

    QCPColorMapData *data = m_map->data();
    auto xTicker = qSharedPointerDynamicCast<QCPAxisTickerText>(p->xAxis->ticker());
    auto yTicker = qSharedPointerDynamicCast<QCPAxisTickerText>(p->yAxis->ticker());
    if (xTicker)
        xTicker->clear();
    if (yTicker)
        yTicker->clear();
    if (!has) {
        data->clear();
        updateMarkers();
        updateCaption();
        resetView();
        return;
    }

    if (data->keySize() != C || data->valueSize() != R)
        data->setSize(C, R);
    data->setRange(cellRange(C), cellRange(R));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j) {
            const double v = valueAt(i * C + j);
            data->setCell(j, i, v);
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    } else if (hi - lo < 1e-9) {
        lo -= 0.005;
        hi += 0.005;
    }
    const QCPRange range(lo, hi);
    m_map->setDataRange(range);
    m_scale->axis()->setLabel(termName(m_term));

    for (int j = 0; j < C && xTicker; ++j)
        xTicker->addTick(j, lambdaText(m_result.cells[std::size_t(j)].l2));
    for (int i = 0; i < R && yTicker; ++i)
        yTicker->addTick(i, lambdaText(m_result.cells[std::size_t(i * C)].l1));

    // Smaller labels on small cells: the font follows the plot's size, within limits.
    QFont font = p->font();
    if (C > 6 || R > 8)
        font.setPointSizeF(font.pointSizeF() * 0.85);
    QCPColorGradient gradient = colourGradient(m_colourMap); // color() is not const
    // Cells the guarded rule excluded are faded (a translucent white veil under the label).
    for (int index = 0; index < R * C; ++index) {
        if (!isExcluded(index))
            continue;
        auto *fade = new QCPItemRect(p);
        fade->setPen(Qt::NoPen);
        fade->setBrush(QColor(255, 255, 255, 150));
        fade->setSelectable(false);
        placeRect(fade, index, 0.0);
        m_fades.push_back(fade);
    }
    m_labels.reserve(std::size_t(R) * std::size_t(C));
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j) {
            const int index = i * C + j;
            auto *label = new QCPItemText(p);
            label->position->setCoords(j, i);
            label->setPositionAlignment(Qt::AlignCenter);
            label->setClipToAxisRect(true);
            label->setSelectable(false);
            label->setFont(font);
            label->setText(cellLabel(index));
            const double v = valueAt(index);
            label->setColor(std::isfinite(v) ? textColourOn(gradient.color(v, range))
                                             : kNotDoneText);
            m_labels.push_back(label);
        }
    updateMarkers();
    updateCaption();
    resetView();
}

void GridSearchCanvas::placeRect(QCPItemRect *item, int index, double inset) const
{
    const int C = m_result.cols;
    const int i = index / C, j = index % C;
    // y is reversed: topLeft has the smaller row coordinate.
    item->topLeft->setCoords(j - 0.5 + inset, i - 0.5 + inset);
    item->bottomRight->setCoords(j + 0.5 - inset, i + 0.5 - inset);
}

void GridSearchCanvas::updateMarkers()
{
    const int n = int(m_result.cells.size());
    const bool winner =
        m_result.best >= 0 && m_result.best < n && m_result.cells[std::size_t(m_result.best)].done;
    m_winnerOuter->setVisible(winner);
    m_winnerInner->setVisible(winner);
    if (winner) {
        placeRect(m_winnerOuter, m_result.best, 0.03);
        placeRect(m_winnerInner, m_result.best, 0.03);
    }
    const bool selected = m_selected >= 0 && m_selected < n;
    m_selection->setVisible(selected);
    if (selected)
        placeRect(m_selection, m_selected, 0.12);
}

void GridSearchCanvas::updateCaption()
{
    if (!hasResult()) {
        m_caption->setText(QString());
        return;
    }
    const QString formula = m_result.formula.isEmpty()
                                ? gridScoreFormula(m_result.score, m_result.alpha, m_result.beta)
                                : m_result.formula;
    QString text = tr("Accuracies on the %1 split · masks keep n = %2 neurons · score = %3")
                       .arg(m_split)
                       .arg(m_result.kept)
                       .arg(formula);
    const auto done = std::count_if(m_result.cells.begin(), m_result.cells.end(),
                                    [](const GridCell &c) { return c.done; });
    if (m_result.selection == GridSelection::Guarded)
        text += QLatin1Char('\n')
                + tr("guarded choice: faded cells are more than %1 point(s) below the most "
                     "accurate A_full and did not compete")
                      .arg(m_result.accuracyTolerance);
    else
        text += QLatin1Char('\n') + tr("paper's choice: highest score over all cells");
    if (done < qsizetype(m_result.cells.size()))
        text += QLatin1Char('\n')
                + tr("cancelled: %1 of %2 cells done")
                      .arg(qlonglong(done))
                      .arg(qulonglong(m_result.cells.size()));
    m_caption->setText(text);
}

void GridSearchCanvas::resetView()
{
    QCustomPlot *p = plot();
    p->xAxis->setRange(-0.5, std::max(1, m_result.cols) - 0.5);
    p->yAxis->setRange(-0.5, std::max(1, m_result.rows) - 0.5);
    p->replot(QCustomPlot::rpQueuedReplot);
}

int GridSearchCanvas::cellAt(const QPointF &pos) const
{
    if (!hasResult())
        return -1;
    const QCustomPlot *p = plot();
    if (!p->axisRect()->rect().contains(pos.toPoint()))
        return -1;
    const int j = int(std::floor(p->xAxis->pixelToCoord(pos.x()) + 0.5));
    const int i = int(std::floor(p->yAxis->pixelToCoord(pos.y()) + 0.5));
    if (i < 0 || i >= m_result.rows || j < 0 || j >= m_result.cols)
        return -1;
    return i * m_result.cols + j;
}

QPoint GridSearchCanvas::pixelForCell(int index) const
{
    if (index < 0 || index >= int(m_result.cells.size()))
        return {-1, -1};
    updatePlotLayout();
    const QCustomPlot *p = plot();
    const int i = index / m_result.cols, j = index % m_result.cols;
    return QPointF(p->xAxis->coordToPixel(j), p->yAxis->coordToPixel(i)).toPoint();
}

void GridSearchCanvas::selectCell(int index)
{
    m_selected = index >= 0 && index < int(m_result.cells.size()) ? index : -1;
    updateMarkers();
    replot();
}

int GridSearchCanvas::selectedCell() const
{
    return m_selected;
}

QByteArray GridSearchCanvas::toCsv() const
{
    QByteArray out = "index,lambda1,lambda2,done,score,A_full,A_top,A_random,A_bottom,"
                     "A_top_minus_random,A_test,winner\n";
    for (std::size_t k = 0; k < m_result.cells.size(); ++k) {
        const GridCell &c = m_result.cells[k];
        out += QByteArray::number(qulonglong(k)) + ',' + csvNumber(c.l1) + ',' + csvNumber(c.l2)
               + ',' + (c.done ? '1' : '0');
        for (Term t : terms())
            out +=
                ',' + (c.done ? csvNumber(termValue(c, t)) : QByteArray()); // empty when not done
        out += ',' + (c.done ? csvNumber(c.test) : QByteArray()) + ','
               + (int(k) == m_result.best ? '1' : '0') + '\n';
    }
    return out;
}

QByteArray GridSearchCanvas::csv() const
{
    return toCsv();
}

void GridSearchCanvas::onMouseMove(QMouseEvent *event)
{
    const int index = event->buttons() == Qt::NoButton ? cellAt(event->position()) : -1;
    if (index >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), tooltipForCell(index), plot());
    else
        QToolTip::hideText();
}

void GridSearchCanvas::onMousePress(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->position();
}

void GridSearchCanvas::onMouseRelease(QMouseEvent *event)
{
    const bool click = m_pressed && event->button() == Qt::LeftButton
                       && (event->position() - m_pressPos).manhattanLength() <= 4;
    m_pressed = false;
    const int index = click ? cellAt(event->position()) : -1;
    if (index < 0)
        return;
    selectCell(index);
    Q_EMIT cellSelected(index);
}

} // namespace salient::ui
