#include "salient/ui/export/viewfigures.h"

#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/gridsearchcanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/layerwisecanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/analysisviews.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/curvesview.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"

#include <qcustomplot.h>

#include <QFileInfo>
#include <QFontMetricsF>
#include <QPointer>
#include <QTableView>

namespace salient::ui {

namespace {

bool isView(QWidget *w)
{
    return qobject_cast<SalienceView *>(w) || qobject_cast<CurvesView *>(w)
           || qobject_cast<GridSearchView *>(w) || qobject_cast<LayerwiseView *>(w)
           || qobject_cast<WordActivationView *>(w) || qobject_cast<NeuronInspector *>(w)
           || qobject_cast<CompareDock *>(w);
}

} // namespace

QWidget *figureViewOf(QWidget *widget)
{
    PlotCanvas *canvas = nullptr;
    for (QWidget *w = widget; w; w = w->parentWidget()) {
        if (isView(w))
            return w;
        if (!canvas)
            canvas = qobject_cast<PlotCanvas *>(w);
    }
    return canvas;
}

QString analysisCaption(const SessionController &c, const QString &resultName)
{
    if (!c.task())
        return {};
    const Session &s = c.session();
    QStringList parts;
    if (s.demo) {
        parts << QObject::tr("Data: built-in synthetic demo (seed %1); task: %2")
                     .arg(s.demoSeed)
                     .arg(s.demoProperty);
    } else {
        const auto train = s.splits.find(QStringLiteral("train"));
        const QString acts =
            train != s.splits.end() ? QFileInfo(train->second[0].path).fileName() : c.sourceName();
        const QString labels =
            train != s.splits.end() ? QFileInfo(train->second[2].path).fileName() : QString();
        parts << QObject::tr("Data: %1").arg(acts.isEmpty() ? c.sourceName() : acts);
        if (!labels.isEmpty())
            parts << QObject::tr("task: %1").arg(labels);
    }
    QString name = resultName;
    if (name.isEmpty())
        name = c.probe() ? QStringLiteral("probe") : c.resultNames().value(0);
    if (!name.isEmpty() && c.result(name)) {
        const ProbeOptions po = s.probeOptionsFor(name);
        parts << QObject::tr("probe λ1 = %1, λ2 = %2, seed %3")
                     .arg(po.l1, 0, 'g', 4)
                     .arg(po.l2, 0, 'g', 4)
                     .arg(po.seed);
    }
    return parts.join(QStringLiteral("; ")) + QLatin1Char('.');
}

Figure inspectorFigure(NeuronInspector *inspector)
{
    Figure f;
    f.name = QStringLiteral("inspector");
    if (!inspector || inspector->summary().column < 0) {
        f.why = QObject::tr("The inspector shows no neuron: click one in the heatmap first.");
        return f;
    }
    f.title = inspector->summaryText().section(QLatin1Char('\n'), 0, 0);
    QPointer<NeuronInspector> self(inspector);
    f.paint = [self](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
        NeuronInspector *view = self.data();
        if (!view || !view->classTable() || !view->topWordsTable())
            return;
        const QAbstractItemModel *classes = view->classTable()->model();
        const QAbstractItemModel *words = view->topWordsTable()->model();
        if (!classes || !words)
            return;
        const QFontMetricsF fm(style.font);
        const double gap = fm.height() * 0.6;
        QRectF area = rect;
        // The class table gets the upper part, the top words what is left (at least 4 rows).
        const double rowH = fm.height() * 1.25;
        const double classesNeed = rowH * (classes->rowCount() + 3);
        const double wordsMin = rowH * 7;
        QRectF top = area;
        top.setHeight(
            std::min(classesNeed, std::max(area.height() * 0.5, area.height() - wordsMin - gap)));
        const double used =
            paintTable(painter, top, *classes, style.font, QObject::tr("Weight per class"));
        area.setTop(top.top() + used + gap);
        if (area.height() > rowH * 3)
            paintTable(painter, area, *words, style.font, QObject::tr("Top words"));
    };
    return f;
}

Figure compareFigure(CompareDock *compare)
{
    Figure f;
    f.name = QStringLiteral("compare");
    if (!compare || !compare->hasComparison()) {
        f.why = QObject::tr("Nothing to compare yet: load a session to compare first.");
        return f;
    }
    f.title = QObject::tr("Compare");
    f.caption = compare->summaryText();
    QPointer<CompareDock> self(compare);
    f.paint = [self](QCPPainter &painter, const QRectF &rect, const FigureStyle &style) {
        CompareDock *dock = self.data();
        if (!dock)
            return;
        LayerBarsCanvas *layers = dock->layerBars();
        CurvesCanvas *ca = dock->curvesA(), *cb = dock->curvesB();
        const bool a = dock->hasCurvesA() && ca, b = dock->hasCurvesB() && cb;
        if (!layers)
            return;
        if (!a && !b) {
            layers->paintFigure(painter, rect, style);
            return;
        }
        // Narrow figures (single column): the two curve panels leave out their legends (two
        // ten-entry legends would take all the height) and one line of text explains them.
        const bool narrow = a && b && rect.width() < 4.5 * style.unitsPerInch;
        const QRectF upper(rect.left(), rect.top(), rect.width(), rect.height() * 0.45);
        QRectF lower(rect.left(), upper.bottom(), rect.width(), rect.height() * 0.55);
        layers->paintFigure(painter, upper, style);
        if (narrow) {
            QFont key = style.font;
            key.setPointSizeF(std::max(4.0, style.font.pointSizeF() * 0.85));
            const QString text = QObject::tr(
                "Left: A, right: B. Blue circles: top neurons; gold squares: random; orange "
                "triangles: bottom; solid: masking, dashed: retraining.");
            const QFontMetricsF fm(key);
            const QRectF box = fm.boundingRect(lower, Qt::TextWordWrap | Qt::AlignLeft, text);
            const QRectF keyRect(lower.left() + 2, lower.bottom() - box.height(), lower.width() - 4,
                                 box.height());
            painter.save();
            painter.setFont(key);
            painter.setPen(QColor(0x33, 0x33, 0x33));
            painter.drawText(keyRect, Qt::TextWordWrap | Qt::AlignLeft, text);
            painter.restore();
            lower.setBottom(keyRect.top());
        }
        FigureStyle panel = style;
        panel.legends = !narrow;
        if (a && b) {
            const double w = lower.width() * 0.5;
            ca->paintFigure(painter, QRectF(lower.left(), lower.top(), w, lower.height()), panel);
            cb->paintFigure(painter, QRectF(lower.left() + w, lower.top(), w, lower.height()),
                            panel);
        } else {
            (a ? ca : cb)->paintFigure(painter, lower, style);
        }
    };
    return f;
}

Figure figureForView(QWidget *view, const SessionController *controller)
{
    auto caption = [controller](const QString &result) {
        return controller ? analysisCaption(*controller, result) : QString();
    };
    if (auto *v = qobject_cast<SalienceView *>(view)) {
        Figure f = v->canvas()->figure(QStringLiteral("heatmap"), caption(QStringLiteral("probe")));
        f.title = QObject::tr("Salience heatmap");
        return f;
    }
    if (auto *v = qobject_cast<CurvesView *>(view)) {
        Figure f = v->canvas()->figure(QStringLiteral("curves"), v->statusText());
        f.title = QObject::tr("Ablation and minimal subset");
        if (controller)
            f.caption = caption(controller->ablation() ? QStringLiteral("ablation")
                                                       : QStringLiteral("minimal-subset"));
        // The legend names the series only ("top (masking)"): the caption says what a line is.
        if (const int seeds = v->canvas()->data().seeds; seeds > 1)
            f.caption += QObject::tr(" Lines: mean over %1 seeds; bands: ± 1 sd.").arg(seeds);
        return f;
    }
    if (auto *v = qobject_cast<GridSearchView *>(view)) {
        Figure f =
            v->canvas()->figure(QStringLiteral("grid"), caption(QStringLiteral("grid-search")));
        f.title = QObject::tr("Grid search (λ1 × λ2)");
        return f;
    }
    if (auto *v = qobject_cast<LayerwiseView *>(view)) {
        Figure f =
            v->canvas()->figure(QStringLiteral("layerwise"), caption(QStringLiteral("layerwise")));
        f.title = QObject::tr("Layer-wise probes");
        return f;
    }
    if (auto *v = qobject_cast<WordActivationView *>(view)) {
        Figure f = v->figure();
        f.title.clear(); // the document draws its own title
        f.caption = caption(QStringLiteral("probe"));
        return f;
    }
    if (auto *v = qobject_cast<NeuronInspector *>(view)) {
        Figure f = inspectorFigure(v);
        f.caption = caption(QStringLiteral("probe"));
        return f;
    }
    if (auto *v = qobject_cast<CompareDock *>(view))
        return compareFigure(v);
    if (auto *v = qobject_cast<LayerBarsCanvas *>(view)) {
        Figure f = v->figure(QStringLiteral("layers"), caption(QStringLiteral("probe")));
        if (f.title.isEmpty())
            f.title = QObject::tr("Layer distribution of the top neurons");
        return f;
    }
    if (auto *v = qobject_cast<TrainingCurveCanvas *>(view)) {
        Figure f = v->figure(QStringLiteral("training"), caption(QStringLiteral("probe")));
        if (f.title.isEmpty())
            f.title = QObject::tr("Training curve");
        return f;
    }
    if (auto *v = qobject_cast<PlotCanvas *>(view))
        return v->figure(v->objectName().isEmpty() ? QStringLiteral("figure") : v->objectName(),
                         caption({}));
    Figure none;
    none.why = QObject::tr("This view cannot be exported as a figure.");
    return none;
}

} // namespace salient::ui
