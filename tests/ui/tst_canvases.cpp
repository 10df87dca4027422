// Long on purpose: one test class for all plotting canvases, each drawn, clicked and exported.
// Plotting canvases (ui/plotting): the heatmap draws exactly the salience matrix core computed,
// sorted mode and tooltips keep the real neuron index, a click on a cell emits its flat position,
// every canvas exports PNG/SVG/PDF files that parse and are not blank, and a 48 × 8,192 matrix is
// set quickly. The grid-search and layer-wise canvases draw real results core computed on the
// demo data: the winner core names is outlined, the CSV repeats core's numbers, a click selects
// the cell under it, and the empty states draw a hint instead of empty axes.
#include "salient/analyses/analyses.h"
#include "salient/data/demo.h"
#include "salient/data/task.h"
#include "salient/probe/salience.h"
#include "salient/ui/plotting/colormaps.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/gridsearchcanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/layerwisecanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace salient;
using namespace salient::ui;

namespace {

/// A hand-made 3-class probe over 3 layers (ids 2, 5, 7) × 4 neurons; flat 3 and 9 unused.
Probe smallProbe()
{
    Probe p;
    p.labels = {QStringLiteral("NOUN"), QStringLiteral("VERB"), QStringLiteral("ADJ")};
    p.columns = {0, 1, 2, 4, 5, 6, 7, 8, 10, 11};
    p.W.resize(3, 10);
    // Column masses differ everywhere so the ranking has no ties.
    const float w[3][10] = {
        {0.10f, -0.90f, 0.05f, 0.30f, 0.00f, -0.20f, 0.70f, 0.15f, -0.40f, 0.02f},
        {-0.20f, 0.10f, 0.01f, 0.60f, 0.08f, 0.25f, -0.10f, 0.05f, 0.50f, 0.03f},
        {0.05f, 0.30f, 0.02f, -0.10f, 0.04f, 0.45f, 0.12f, 0.00f, 0.20f, 0.01f}};
    for (int c = 0; c < 3; ++c)
        for (int j = 0; j < 10; ++j)
            p.W(c, j) = w[c][j];
    p.b = VectorF::Zero(3);
    return p;
}

const std::vector<int> kLayerIds{2, 5, 7};
constexpr int kDims = 4;

/// Parses the heatmap CSV into (layer row, neuron) → value text; checks the header.
QHash<QPair<int, int>, QString> parseHeatmapCsv(const QByteArray &csv, const SalienceMatrix &m)
{
    QHash<QPair<int, int>, QString> out;
    const QList<QByteArray> lines = csv.split('\n');
    if (lines.isEmpty() || lines.first() != "layer,unit,column,x,rank,value,shown")
        return out;
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        const QList<QByteArray> f = lines[i].split(',');
        if (f.size() != 7)
            return {};
        const int row =
            int(std::find(m.layerIds.begin(), m.layerIds.end(), f[0].toInt()) - m.layerIds.begin());
        out.insert({row, f[1].toInt()}, QString::fromUtf8(f[5]));
    }
    return out;
}

int distinctColours(const QImage &img)
{
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3)
            colours.insert(img.pixel(x, y));
    return int(colours.size());
}

AblationResult sampleAblation()
{
    AblationResult r;
    r.sizes = {10, 20, 50, 100, 200, 500};
    r.oracleSelection = 0.93;
    auto fill = [&](AblationCurve &c, const QString &mode, double shift) {
        c.mode = mode;
        c.top = {0.62 + shift, 0.74 + shift, 0.85 + shift, 0.90, 0.92, 0.93};
        c.randomMean = {0.31, 0.38, 0.52, 0.66, 0.79, 0.88};
        c.randomStd = {0.03, 0.04, 0.04, 0.03, 0.02, 0.01};
        c.bottom = {0.18, 0.22, 0.30, 0.41, 0.58, 0.80};
    };
    fill(r.masking, QStringLiteral("masking"), -0.1);
    fill(r.retraining, QStringLiteral("retraining"), 0.0);
    return r;
}

MinimalSubsetResult sampleSubset()
{
    MinimalSubsetResult r;
    r.oracleDev = 0.93;
    r.target = 0.93 * 0.99;
    r.curve = {{5, 0.55, 0.5}, {15, 0.78, 0.77}, {40, 0.89, 0.88}, {120, 0.925, 0.92}};
    r.size = 120;
    r.dev = 0.925;
    return r;
}

LayerDistribution sampleDistribution(int layers, int shift)
{
    LayerDistribution d;
    double sum = 0;
    for (int l = 0; l < layers; ++l) {
        d.layerIds.push_back(l);
        const int c = std::max(0, 12 - std::abs(l - shift) * 3);
        d.counts.push_back(c);
        d.total += c;
        sum += double(l) * c;
    }
    d.meanLayer = d.total > 0 ? sum / d.total : std::nan("");
    return d;
}

/// Exports @p canvas to png/svg/pdf in @p dir and checks each file parses and is not blank.
void checkExports(PlotCanvas &canvas, const QString &dir, const QString &stem)
{
    QString error;
    const QString png = dir + QLatin1Char('/') + stem + QStringLiteral(".png");
    QVERIFY2(canvas.exportFigure(png, 640, 400, 150, &error), qPrintable(error));
    const QImage img(png);
    QVERIFY(!img.isNull());
    QCOMPARE(img.width(), 1000); // 640 · 150 / 96
    QCOMPARE(img.height(), 625);
    QCOMPARE(qRound(img.dotsPerMeterX() * 0.0254), 150);
    QVERIFY2(distinctColours(img) > 8, qPrintable(QString::number(distinctColours(img))));

    const QString svg = dir + QLatin1Char('/') + stem + QStringLiteral(".svg");
    QVERIFY2(canvas.exportFigure(svg, 640, 400, 300, &error), qPrintable(error));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QVERIFY(renderer.defaultSize().width() > 0);
    QImage fromSvg(320, 200, QImage::Format_ARGB32);
    fromSvg.fill(Qt::white);
    {
        QPainter painter(&fromSvg);
        renderer.render(&painter);
    }
    QVERIFY(distinctColours(fromSvg) > 8);

    const QString pdf = dir + QLatin1Char('/') + stem + QStringLiteral(".pdf");
    QVERIFY2(canvas.exportFigure(pdf, 640, 400, 300, &error), qPrintable(error));
    QFile f(pdf);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.startsWith("%PDF"));
    QVERIFY2(bytes.size() > 2000, qPrintable(QString::number(bytes.size())));

    // Atomic writes leave no temporary files behind.
    for (const QString &name : QDir(dir).entryList(QDir::Files | QDir::Hidden))
        QVERIFY2(!name.startsWith(QLatin1Char('.')), qPrintable(name));
}

/// Real analyses on the built-in demo data (computed once): a 2 × 2 λ grid search and the
/// layer-wise probes, 2 epochs each.
struct DemoAnalyses {
    GridSearchResult grid;
    LayerwiseResult layers;
};

const DemoAnalyses &demoAnalyses()
{
    static const DemoAnalyses results = [] {
        const DemoDataset demo = makeDemoDataset();
        const LoadedTask task = loadDemoTask(demo, QStringLiteral("pos"), DatasetOptions{});
        ExperimentData data{&*task.train, &*task.dev, nullptr, task.vocab.names, {}};
        data.probe.epochs = 2;
        GridSearchOptions grid;
        grid.l1Values = {0.0, 1e-3};
        grid.l2Values = {0.0, 1e-1};
        DemoAnalyses r;
        r.grid = gridSearch(data, grid);
        r.layers = layerwiseProbes(data, LayerwiseOptions{});
        return r;
    }();
    return results;
}

/// Near-black pixels on the horizontal line through the centre of @p cell, within the outer
/// 15 % of the cell at its left edge (where the winner outline is drawn and no label is).
int darkPixelsAtLeftEdge(const QImage &img, const GridSearchCanvas &canvas, int cell)
{
    const int cols = canvas.result().cols;
    const QPoint centre = canvas.pixelForCell(cell);
    const QPoint right = canvas.pixelForCell(cell % cols + 1 < cols ? cell + 1 : cell - 1);
    const int width = std::abs(right.x() - centre.x());
    const int left = centre.x() - width / 2;
    int dark = 0;
    for (int x = left; x < left + width * 15 / 100; ++x) {
        const QColor c = img.pixelColor(x, centre.y());
        if (c.red() < 40 && c.green() < 40 && c.blue() < 40)
            ++dark;
    }
    return dark;
}

/// The plot as drawn on screen now (replotted first: a queued replot may not have run yet).
QImage snapshot(const PlotCanvas &canvas)
{
    canvas.plot()->replot(QCustomPlot::rpImmediateRefresh);
    return canvas.plot()->grab().toImage();
}

/// True when every non-white pixel of @p img lies in the middle band (30 %–70 %) of its height:
/// a centred hint and no axes.
bool onlyCentreDrawn(const QImage &img)
{
    int inked = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (c.red() > 235 && c.green() > 235 && c.blue() > 235)
                continue;
            if (y < img.height() * 3 / 10 || y > img.height() * 7 / 10)
                return false;
            ++inked;
        }
    return inked > 20;
}

} // namespace

class TestCanvases : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void colourMapsHavePublishedEnds();
    void heatmapCellsEqualMatrix();
    void heatmapCsvEqualsMatrix();
    void heatmapSortedModePutsMostSalientFirst();
    void heatmapThresholdHidesOthers();
    void heatmapClickEmitsNeuronClicked();
    void heatmapExports();
    void exportRejectsBadInput();
    void curvesRenderAndExport();
    void layerBarsRenderAndExport();
    void largeHeatmapIsFast();
    void gridSearchShowsCoreResult();
    void gridSearchCsvHasEveryCell();
    void gridSearchClickSelectsCell();
    void gridSearchTermsAndCancelledCells();
    void gridSearchEmptyState();
    void gridSearchExports();
    void layerwiseShowsCoreResult();
    void layerwiseEmptyState();
};

void TestCanvases::colourMapsHavePublishedEnds()
{
    QCOMPARE(colourAt(ColourMap::Viridis, 0).name(), QStringLiteral("#440154"));
    QCOMPARE(colourAt(ColourMap::Viridis, 1).name(), QStringLiteral("#fde725"));
    QCOMPARE(colourAt(ColourMap::Cividis, 0).name(), QStringLiteral("#00204d"));
    QCOMPARE(colourAt(ColourMap::Cividis, 1).name(), QStringLiteral("#ffea46"));
    QCOMPARE(colourAt(ColourMap::RdBu, 0.5).name(), QStringLiteral("#f7f7f7"));
    QVERIFY(isDiverging(ColourMap::PuOr));
    for (const QString &name : colourMapNames())
        QCOMPARE(colourMapName(colourMapFromName(name)), name);
    QCPColorGradient g = colourGradient(ColourMap::Viridis);
    QVERIFY(g.colorStops().size() >= 10);
    // Monotone luma: viridis and cividis get brighter from 0 to 1.
    for (ColourMap map : {ColourMap::Viridis, ColourMap::Cividis}) {
        double last = -1;
        for (int i = 0; i <= 20; ++i) {
            const QColor c = colourAt(map, i / 20.0);
            const double luma = 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF();
            QVERIFY(luma > last);
            last = luma;
        }
    }
}

void TestCanvases::heatmapCellsEqualMatrix()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(m);
    QCOMPARE(canvas.matrix().layers, 3);
    for (int l = 0; l < m.layers; ++l)
        for (int d = 0; d < m.dims; ++d) {
            const double expected = double(m.values(l, d));
            const double got = canvas.valueAt(l, d);
            if (std::isnan(expected))
                QVERIFY2(std::isnan(got), qPrintable(QStringLiteral("cell %1,%2").arg(l).arg(d)));
            else
                QCOMPARE(got, expected);
            QCOMPARE(canvas.columnAt(l, d), l * kDims + d);
        }
    QVERIFY(std::isnan(canvas.valueAt(3, 0)));
    QCOMPARE(canvas.columnAt(0, 4), -1);
    // The unused neuron says so; a used one names its layer id and rank.
    QVERIFY(canvas.tooltipAt(0, 3).contains(QStringLiteral("not used")));
    const QString tip = canvas.tooltipAt(1, 2);
    QVERIFY2(tip.contains(QStringLiteral("layer 5")), qPrintable(tip));
    QVERIFY(tip.contains(QStringLiteral("layer 5 · unit 2")));
    QVERIFY(tip.contains(QStringLiteral("rank by weight mass %1 of 10").arg(m.rankOf[6] + 1)));
    // Rank mode draws the rank score with its own colour-bar title.
    const SalienceMatrix r = salienceMatrix(smallProbe(), kLayerIds, kDims, -1, SalienceMode::Rank);
    canvas.setMatrix(r, SalienceMode::Rank);
    QCOMPARE(canvas.valueAt(2, 0), double(r.values(2, 0)));
    QVERIFY(canvas.tooltipAt(2, 0).contains(QStringLiteral("rank score")));
}

void TestCanvases::heatmapCsvEqualsMatrix()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(m);
    for (auto order :
         {SalienceHeatmapCanvas::Order::ByIndex, SalienceHeatmapCanvas::Order::BySalience}) {
        canvas.setOrder(order);
        const auto cells = parseHeatmapCsv(canvas.csv(), m);
        QCOMPARE(cells.size(), m.layers * m.dims);
        for (int l = 0; l < m.layers; ++l)
            for (int d = 0; d < m.dims; ++d) {
                const QString text = cells.value({l, d}, QStringLiteral("missing"));
                const float expected = m.values(l, d);
                if (std::isnan(expected)) {
                    QCOMPARE(text, QString());
                } else {
                    bool ok = false;
                    QCOMPARE(float(text.toDouble(&ok)), expected);
                    QVERIFY(ok);
                }
            }
    }
}

void TestCanvases::heatmapSortedModePutsMostSalientFirst()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(m);
    canvas.setClassWeightProvider(
        [](int flat) { return flat == 1 ? QStringLiteral("NOUN 0.90, ADJ 0.30") : QString(); });
    canvas.setOrder(SalienceHeatmapCanvas::Order::BySalience);
    for (int l = 0; l < m.layers; ++l) {
        float best = -1;
        int bestIndex = -1;
        for (int d = 0; d < m.dims; ++d)
            if (!std::isnan(m.values(l, d)) && m.values(l, d) > best) {
                best = m.values(l, d);
                bestIndex = d;
            }
        QCOMPARE(canvas.valueAt(l, 0), double(best));
        QCOMPARE(canvas.columnAt(l, 0), l * kDims + bestIndex);
        const QString tip = canvas.tooltipAt(l, 0);
        QVERIFY2(tip.contains(
                     QStringLiteral("layer %1 · unit %2").arg(kLayerIds[size_t(l)]).arg(bestIndex)),
                 qPrintable(tip));
        // Values decrease along x (NaN last).
        for (int x = 1; x < m.dims; ++x) {
            const double a = canvas.valueAt(l, x - 1), b = canvas.valueAt(l, x);
            QVERIFY(std::isnan(b) || a >= b);
        }
    }
    // Layer 2 (row 0): neuron 1 (|W| mass 1.3) is the most salient; its class weights show.
    QCOMPARE(canvas.columnAt(0, 0), 1);
    QVERIFY(canvas.tooltipAt(0, 0).contains(QStringLiteral("top classes: NOUN 0.90, ADJ 0.30")));
}

void TestCanvases::heatmapThresholdHidesOthers()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(m);
    const NeuronList keep = SalienceHeatmapCanvas::topK(m, 3);
    QCOMPARE(int(keep.size()), 3);
    canvas.setKeptNeurons(keep);
    QVERIFY(canvas.hasThreshold());
    int shown = 0;
    for (int flat = 0; flat < m.layers * m.dims; ++flat) {
        const bool kept = std::find(keep.begin(), keep.end(), flat) != keep.end();
        QCOMPARE(canvas.isShown(flat), kept);
        shown += canvas.isShown(flat) ? 1 : 0;
    }
    QCOMPARE(shown, 3);
    // Hidden cells keep their data (transparent via alpha), and the CSV says which are shown.
    QCOMPARE(canvas.valueAt(2, 3), double(m.values(2, 3)));
    QCOMPARE(canvas.csv().count(",1\n"), 3);
    canvas.setKeptNeurons(withinCumulativeMass(m, 0.5));
    QVERIFY(canvas.isShown(1)); // the most salient neuron is always within the mass
    canvas.clearKeptNeurons();
    QVERIFY(!canvas.hasThreshold());
    QVERIFY(canvas.isShown(11));
}

void TestCanvases::heatmapClickEmitsNeuronClicked()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(m);
    canvas.show();
    canvas.resize(800, 400);
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QSignalSpy spy(&canvas, &SalienceHeatmapCanvas::neuronClicked);
    for (auto order :
         {SalienceHeatmapCanvas::Order::ByIndex, SalienceHeatmapCanvas::Order::BySalience}) {
        canvas.setOrder(order);
        for (int flat : {0, 6, 11, 1}) {
            spy.clear();
            const QPoint pos = canvas.pixelForNeuron(flat);
            QVERIFY(canvas.plot()->axisRect()->rect().contains(pos));
            QTest::mouseClick(canvas.plot(), Qt::LeftButton, Qt::NoModifier, pos);
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.at(0).at(0).toInt(), flat);
            QCOMPARE(canvas.selectedNeuron(), flat);
        }
    }
    // Outside the cells: no signal.
    spy.clear();
    QTest::mouseClick(canvas.plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
    QCOMPARE(spy.count(), 0);
    canvas.selectNeuron(-1);
    QCOMPARE(canvas.selectedNeuron(), -1);
    QCOMPARE(canvas.pixelForNeuron(12), QPoint(-1, -1));
}

void TestCanvases::heatmapExports()
{
    const SalienceMatrix m = salienceMatrix(smallProbe(), kLayerIds, kDims);
    SalienceHeatmapCanvas canvas;
    canvas.setTitle(QStringLiteral("Salience"));
    canvas.setMatrix(m);
    canvas.selectNeuron(6);
    canvas.resize(800, 400);
    const QPoint before = canvas.pixelForNeuron(6);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    checkExports(canvas, dir.path(), QStringLiteral("heatmap"));
    // Exporting at another size leaves the on-screen layout as it was.
    QCOMPARE(canvas.pixelForNeuron(6), before);
    QString error;
    QVERIFY2(canvas.exportCsv(dir.filePath(QStringLiteral("heatmap.csv")), &error),
             qPrintable(error));
    QFile csv(dir.filePath(QStringLiteral("heatmap.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll(), canvas.csv());
}

void TestCanvases::exportRejectsBadInput()
{
    SalienceHeatmapCanvas canvas;
    canvas.setMatrix(salienceMatrix(smallProbe(), kLayerIds, kDims));
    QTemporaryDir dir;
    QString error;
    QVERIFY(!canvas.exportFigure(dir.filePath(QStringLiteral("x.bmp")), 400, 300, 300, &error));
    QVERIFY(error.contains(QStringLiteral(".png")));
    QVERIFY(
        !canvas.exportFigure(dir.filePath(QStringLiteral("missing/x.png")), 400, 300, 300, &error));
    QVERIFY(error.contains(QStringLiteral("does not exist")));
    QVERIFY(!canvas.exportFigure(dir.filePath(QStringLiteral("x.png")), 400, 300, 0, &error));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.png"))));
    // An existing file is replaced whole.
    const QString png = dir.filePath(QStringLiteral("y.png"));
    QVERIFY(canvas.exportFigure(png, 300, 200, 96, &error));
    QVERIFY(canvas.exportFigure(png, 400, 250, 96, &error));
    QCOMPARE(QImage(png).size(), QSize(400, 250));
}

void TestCanvases::curvesRenderAndExport()
{
    CurvesCanvas canvas;
    canvas.setTitle(QStringLiteral("Ablation"));
    canvas.setAblation(sampleAblation());
    canvas.setMinimalSubset(sampleSubset());
    // 6 lines + subset + δ band + all neurons.
    QCOMPARE(canvas.legendItemCount(), 9);
    QCOMPARE(canvas.data().chosenSize, 120);
    QCOMPARE(canvas.data().oracle, 0.93);
    const QByteArray csv = canvas.csv();
    QVERIFY(csv.startsWith("series,mode,x,accuracy,std\n"));
    QVERIFY(csv.contains("top,masking,10,0.5"));
    QVERIFY(csv.contains("random,retraining,50,0.52,0.04\n"));
    QVERIFY(csv.contains("subset,retraining,40,0.89,\n"));
    QVERIFY(csv.contains("chosen,,120,,\n"));
    // A computed majority baseline adds its dashed line and legend entry (and a CSV row).
    CurvesCanvas withBaseline;
    AblationResult ab = sampleAblation();
    ab.baselineSelection.label = QStringLiteral("NN");
    ab.baselineSelection.accuracy = 0.243;
    withBaseline.setAblation(ab);
    QCOMPARE(withBaseline.data().baseline, 0.243);
    QVERIFY(withBaseline.csv().contains("baseline,,,0.243,\n"));
    bool entry = false;
    for (int i = 0; i < withBaseline.plot()->graphCount(); ++i)
        entry = entry
                || withBaseline.plot()->graph(i)->name()
                       == QStringLiteral("majority baseline (NN) 0.24");
    QVERIFY(entry);
    canvas.resize(900, 500);
    QTemporaryDir dir;
    checkExports(canvas, dir.path(), QStringLiteral("curves"));
    canvas.setLogX(true);
    canvas.setAutoY(true);
    QVERIFY(canvas.plot()->yAxis->range().lower > 0.05);
    checkExports(canvas, dir.path(), QStringLiteral("curves-log"));
    canvas.clear();
    QCOMPARE(canvas.legendItemCount(), 0);
}

void TestCanvases::layerBarsRenderAndExport()
{
    LayerBarsCanvas canvas;
    canvas.setDistribution(sampleDistribution(13, 3));
    QCOMPARE(canvas.seriesCount(), 1);
    QTemporaryDir dir;
    checkExports(canvas, dir.path(), QStringLiteral("bars1"));
    canvas.setDistributions(sampleDistribution(13, 3), QStringLiteral("BERT"),
                            sampleDistribution(13, 8), QStringLiteral("XLNet"));
    QCOMPARE(canvas.seriesCount(), 2);
    QCOMPARE(canvas.plot()->legend->itemCount(), 2);
    const QList<QByteArray> lines = canvas.csv().split('\n');
    QCOMPARE(lines.at(0), QByteArray("layer,BERT,XLNet"));
    QCOMPARE(lines.at(4), QByteArray("3,12,0"));
    checkExports(canvas, dir.path(), QStringLiteral("bars2"));
}

void TestCanvases::largeHeatmapIsFast()
{
    // 48 layers × 8,192 neurons, every neuron used by a 5-class probe.
    const int layers = 48, dims = 8192;
    Probe p;
    p.labels = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d"),
                QStringLiteral("e")};
    p.W.resize(5, layers * dims);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (Eigen::Index j = 0; j < p.W.cols(); ++j)
        for (Eigen::Index c = 0; c < 5; ++c)
            p.W(c, j) = u(rng);
    p.b = VectorF::Zero(5);
    p.columns.resize(std::size_t(layers * dims));
    std::iota(p.columns.begin(), p.columns.end(), 0);
    std::vector<int> ids(layers);
    std::iota(ids.begin(), ids.end(), 0);
    const SalienceMatrix m = salienceMatrix(p, ids, dims);

    SalienceHeatmapCanvas canvas;
    canvas.resize(1000, 500);
    QElapsedTimer timer;
    timer.start();
    canvas.setMatrix(m);
    canvas.plot()->replot(QCustomPlot::rpImmediateRefresh);
    canvas.setOrder(SalienceHeatmapCanvas::Order::BySalience);
    canvas.setKeptNeurons(SalienceHeatmapCanvas::topK(m, 1000));
    canvas.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const qint64 ms = timer.elapsed();
    qInfo("48 x 8192: set data, sort, threshold and two replots in %lld ms", ms);
    QVERIFY2(ms < 5000, qPrintable(QString::number(ms)));
    QCOMPARE(canvas.plot()->plottableCount(), 1);
    QCOMPARE(canvas.plot()->itemCount(), 2); // the selection marker only
    QCOMPARE(canvas.valueAt(47, 0), double(m.values(47, m.sortedIndex(47, 0))));
}

void TestCanvases::gridSearchShowsCoreResult()
{
    const GridSearchResult &r = demoAnalyses().grid;
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(r.rows, 2);
    QCOMPARE(r.cols, 2);
    QVERIFY(r.best >= 0);
    GridSearchCanvas canvas;
    canvas.setSplitName(QStringLiteral("dev"));
    canvas.setResult(r);
    canvas.resize(700, 500);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QVERIFY(canvas.hasResult());
    QCOMPARE(canvas.emptyHint(), QString());
    QCOMPARE(canvas.term(), GridSearchCanvas::Term::Score);
    QVERIFY(canvas.caption().startsWith(QStringLiteral("Accuracies on the dev split")));
    QVERIFY(canvas.caption().contains(r.formula));
    // Cells show core's scores with 3 decimals.
    for (int k = 0; k < 4; ++k) {
        QCOMPARE(canvas.valueAt(k), r.cells[std::size_t(k)].score);
        QCOMPARE(canvas.cellLabel(k), QString::number(r.cells[std::size_t(k)].score, 'f', 3));
    }
    // Axes: λ labels as categorical ticks; the y axis lists λ1, the x axis λ2.
    QCOMPARE(canvas.plot()->xAxis->label(), QStringLiteral("λ2"));
    QCOMPARE(canvas.plot()->yAxis->label(), QStringLiteral("λ1"));
    canvas.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(canvas.plot()->xAxis->tickVectorLabels(),
             (QVector<QString>{QStringLiteral("0"), QStringLiteral("0.1")}));
    QCOMPARE(canvas.plot()->yAxis->tickVectorLabels(),
             (QVector<QString>{QStringLiteral("0"), QStringLiteral("0.001")}));
    // The first λ1 row is drawn at the top.
    QVERIFY(canvas.pixelForCell(0).y() < canvas.pixelForCell(2).y());
    QVERIFY(canvas.pixelForCell(0).x() < canvas.pixelForCell(1).x());
    // The outline is on the winner core names, and only there.
    const QImage img = snapshot(canvas);
    for (int k = 0; k < 4; ++k) {
        const int dark = darkPixelsAtLeftEdge(img, canvas, k);
        if (k == r.best)
            QVERIFY2(dark >= 1, qPrintable(QStringLiteral("winner %1: %2").arg(k).arg(dark)));
        else
            QVERIFY2(dark == 0, qPrintable(QStringLiteral("cell %1: %2").arg(k).arg(dark)));
    }
    // Hover text: λ1, λ2 and every term.
    const QString tip = canvas.tooltipForCell(r.best);
    QVERIFY(tip.startsWith(QStringLiteral("λ1 = %1, λ2 = %2")
                               .arg(r.cells[std::size_t(r.best)].l1, 0, 'g', 3)
                               .arg(r.cells[std::size_t(r.best)].l2, 0, 'g', 3)));
    for (GridSearchCanvas::Term t : GridSearchCanvas::terms())
        QVERIFY2(tip.contains(GridSearchCanvas::termName(t) + QLatin1Char(' ')), qPrintable(tip));
    QVERIFY(tip.contains(QStringLiteral("winner")));
    QCOMPARE(canvas.tooltipForCell(4), QString());
}

void TestCanvases::gridSearchCsvHasEveryCell()
{
    const GridSearchResult &r = demoAnalyses().grid;
    GridSearchCanvas canvas;
    canvas.setResult(r);
    QCOMPARE(canvas.csv(), canvas.toCsv());
    const QList<QByteArray> lines = canvas.toCsv().split('\n');
    QCOMPARE(lines.size(), 1 + 4 + 1); // header, one row per cell, trailing empty
    QCOMPARE(lines.first(), QByteArray("index,lambda1,lambda2,done,score,A_full,A_top,A_random,"
                                       "A_bottom,A_top_minus_random,A_test,winner"));
    QVERIFY(lines.last().isEmpty());
    for (int k = 0; k < 4; ++k) {
        const GridCell &c = r.cells[std::size_t(k)];
        const QList<QByteArray> f = lines[k + 1].split(',');
        QCOMPARE(f.size(), 12);
        QCOMPARE(f[0].toInt(), k);
        QCOMPARE(f[1].toDouble(), c.l1);
        QCOMPARE(f[2].toDouble(), c.l2);
        QCOMPARE(f[3], QByteArray("1"));
        QCOMPARE(f[4].toDouble(), c.score);
        QCOMPARE(f[5].toDouble(), c.full);
        QCOMPARE(f[6].toDouble(), c.top);
        QCOMPARE(f[7].toDouble(), c.random);
        QCOMPARE(f[8].toDouble(), c.bottom);
        QCOMPARE(f[9].toDouble(), c.top - c.random);
        QVERIFY(f[10].isEmpty()); // no test split: A_test is NaN
        QCOMPARE(f[11], QByteArray(k == r.best ? "1" : "0"));
    }
    QTemporaryDir dir;
    QString error;
    QVERIFY2(canvas.exportCsv(dir.filePath(QStringLiteral("grid.csv")), &error), qPrintable(error));
    QFile file(dir.filePath(QStringLiteral("grid.csv")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), canvas.toCsv());
}

void TestCanvases::gridSearchClickSelectsCell()
{
    GridSearchCanvas canvas;
    canvas.setResult(demoAnalyses().grid);
    canvas.resize(700, 500);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QSignalSpy spy(&canvas, &GridSearchCanvas::cellSelected);
    QCOMPARE(canvas.selectedCell(), -1);
    for (int k : {3, 0, 2, 1}) {
        spy.clear();
        const QPoint pos = canvas.pixelForCell(k);
        QVERIFY(canvas.plot()->axisRect()->rect().contains(pos));
        QCOMPARE(canvas.cellAt(pos), k);
        // Off-centre within the cell still hits it.
        QCOMPARE(canvas.cellAt(pos + QPoint(20, -15)), k);
        QTest::mouseClick(canvas.plot(), Qt::LeftButton, Qt::NoModifier, pos + QPoint(20, -15));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), k);
        QCOMPARE(canvas.selectedCell(), k);
    }
    // Outside the table: nothing.
    spy.clear();
    QTest::mouseClick(canvas.plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
    QCOMPARE(spy.count(), 0);
    QCOMPARE(canvas.selectedCell(), 1);
    // A new result clears the selection.
    canvas.setResult(demoAnalyses().grid);
    QCOMPARE(canvas.selectedCell(), -1);
}

void TestCanvases::gridSearchTermsAndCancelledCells()
{
    GridSearchResult r = demoAnalyses().grid;
    GridSearchCanvas canvas;
    canvas.setResult(r);
    auto *chooser = canvas.findChild<QComboBox *>(QStringLiteral("gridTerm"));
    QVERIFY(chooser);
    QCOMPARE(chooser->count(), 6);
    QCOMPARE(chooser->itemText(5), QStringLiteral("A_top − A_random"));
    // The chooser drives the term, and setTerm() the chooser.
    chooser->setCurrentIndex(5);
    QCOMPARE(canvas.term(), GridSearchCanvas::Term::TopMinusRandom);
    for (int k = 0; k < 4; ++k) {
        const GridCell &c = r.cells[std::size_t(k)];
        QCOMPARE(canvas.valueAt(k), c.top - c.random);
        QCOMPARE(canvas.cellLabel(k), QString::number(c.top - c.random, 'f', 3));
    }
    const std::pair<GridSearchCanvas::Term, double GridCell::*> accuracies[] = {
        {GridSearchCanvas::Term::Full, &GridCell::full},
        {GridSearchCanvas::Term::Top, &GridCell::top},
        {GridSearchCanvas::Term::Random, &GridCell::random},
        {GridSearchCanvas::Term::Bottom, &GridCell::bottom},
        {GridSearchCanvas::Term::Score, &GridCell::score}};
    for (const auto &[term, member] : accuracies) {
        canvas.setTerm(term);
        QCOMPARE(chooser->currentText(), GridSearchCanvas::termName(term));
        for (int k = 0; k < 4; ++k)
            QCOMPARE(canvas.valueAt(k), r.cells[std::size_t(k)].*member);
    }

    // A cancelled search: cells not done are grey "–", empty in the CSV, named in the caption.
    // (core's winner is always a done cell: take another one.)
    const int notDone = r.best == 3 ? 0 : 3;
    r.status = Status::Cancelled;
    r.cells[std::size_t(notDone)].done = false;
    canvas.setResult(r);
    QVERIFY(std::isnan(canvas.valueAt(notDone)));
    QCOMPARE(canvas.cellLabel(notDone), QStringLiteral("–"));
    QVERIFY(canvas.tooltipForCell(notDone).contains(QStringLiteral("not done")));
    QVERIFY(canvas.caption().contains(QStringLiteral("3 of 4 cells done")));
    const QList<QByteArray> fields = canvas.toCsv().split('\n').at(1 + notDone).split(',');
    QCOMPARE(fields.size(), 12);
    QCOMPARE(fields[3], QByteArray("0"));
    for (int f = 4; f <= 10; ++f)
        QVERIFY(fields[f].isEmpty());
    canvas.resize(600, 400);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    const QImage img = snapshot(canvas);
    const QColor grey = img.pixelColor(canvas.pixelForCell(notDone) + QPoint(30, 30));
    QCOMPARE(grey, QColor(0xd4, 0xd4, 0xd4)); // colourGradient's NaN colour
    // Invalid shapes show the empty state.
    r.cells.pop_back();
    canvas.setResult(r);
    QVERIFY(!canvas.hasResult());
}

void TestCanvases::gridSearchEmptyState()
{
    GridSearchCanvas canvas;
    QVERIFY(!canvas.hasResult());
    QCOMPARE(canvas.emptyHint(), QStringLiteral("Run a grid search to see λ1 × λ2 scores"));
    QCOMPARE(canvas.caption(), QString());
    QCOMPARE(canvas.toCsv(), QByteArray("index,lambda1,lambda2,done,score,A_full,A_top,A_random,"
                                        "A_bottom,A_top_minus_random,A_test,winner\n"));
    QCOMPARE(canvas.pixelForCell(0), QPoint(-1, -1));
    canvas.resize(600, 400);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QSignalSpy spy(&canvas, &GridSearchCanvas::cellSelected);
    QTest::mouseClick(canvas.plot(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 150));
    QCOMPARE(spy.count(), 0);
    QVERIFY(onlyCentreDrawn(snapshot(canvas)));
    QTemporaryDir dir;
    QString error;
    for (const QString &suffix : PlotCanvas::figureSuffixes()) {
        const QString path = dir.filePath(QStringLiteral("empty.") + suffix);
        QVERIFY2(canvas.exportFigure(path, 600, 400, 96, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 0);
    }
    QVERIFY(onlyCentreDrawn(QImage(dir.filePath(QStringLiteral("empty.png")))));
    // A result, then clear(): back to the hint.
    canvas.setResult(demoAnalyses().grid);
    QCOMPARE(canvas.emptyHint(), QString());
    QVERIFY(!onlyCentreDrawn(snapshot(canvas)));
    canvas.clear();
    QVERIFY(!canvas.hasResult());
    QVERIFY(!canvas.emptyHint().isEmpty());
    QVERIFY(onlyCentreDrawn(snapshot(canvas)));
}

void TestCanvases::gridSearchExports()
{
    GridSearchCanvas canvas;
    canvas.setTitle(QStringLiteral("λ grid search"));
    canvas.setResult(demoAnalyses().grid);
    canvas.selectCell(1);
    canvas.resize(700, 500);
    QTemporaryDir dir;
    checkExports(canvas, dir.path(), QStringLiteral("grid"));
    canvas.setColourMap(ColourMap::Cividis);
    canvas.setTerm(GridSearchCanvas::Term::Bottom);
    checkExports(canvas, dir.path(), QStringLiteral("grid-bottom"));
}

void TestCanvases::layerwiseShowsCoreResult()
{
    const LayerwiseResult &r = demoAnalyses().layers;
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(int(r.independent.size()), 6);
    QCOMPARE(int(r.incremental.size()), 6);
    QVERIFY(r.selectedIndex >= 0);
    LayerwiseCanvas canvas;
    canvas.setResult(r);
    QVERIFY(canvas.hasResult());
    QCOMPARE(canvas.emptyHint(), QString());
    const QStringList legend = canvas.legendNames();
    QCOMPARE(legend.size(), 5);
    QCOMPARE(legend.at(0), QStringLiteral("independent probes"));
    QCOMPARE(legend.at(1), QStringLiteral("incremental probes (layers 0..k)"));
    QCOMPARE(legend.at(2), QStringLiteral("all layers (%1)").arg(r.fullDev, 0, 'f', 3));
    QCOMPARE(legend.at(3),
             QStringLiteral("LayerSelector threshold (%1)").arg(r.threshold, 0, 'f', 3));
    QCOMPARE(legend.at(4), QStringLiteral("selected: layer %1 (%2)")
                               .arg(r.selectedLayer)
                               .arg(r.incremental[std::size_t(r.selectedIndex)].dev, 0, 'f', 3));
    QCOMPARE(canvas.plot()->xAxis->label(), QStringLiteral("layer"));
    QCOMPARE(canvas.plot()->yAxis->label(), QStringLiteral("accuracy"));
    canvas.resize(700, 450);
    canvas.plot()->replot(QCustomPlot::rpImmediateRefresh);
    const QVector<double> ticks = canvas.plot()->xAxis->tickVector();
    QVERIFY(ticks.size() >= 3);
    for (double t : ticks)
        QCOMPARE(t, std::round(t)); // integer layer ticks

    // CSV: every point with core's numbers, then the levels and the selection.
    const QList<QByteArray> lines = canvas.csv().split('\n');
    QCOMPARE(lines.first(), QByteArray("series,index,layer,accuracy,test"));
    QCOMPARE(lines.size(), 1 + 6 + 6 + 3 + 1);
    for (int k = 0; k < 6; ++k) {
        for (const auto &[series, scores] :
             {std::pair{0, &r.independent}, std::pair{1, &r.incremental}}) {
            const QList<QByteArray> f = lines[1 + series * 6 + k].split(',');
            QCOMPARE(f.size(), 5);
            QCOMPARE(f[0], QByteArray(series == 0 ? "independent" : "incremental"));
            QCOMPARE(f[1].toInt(), k);
            QCOMPARE(f[2].toInt(), (*scores)[std::size_t(k)].layer);
            QCOMPARE(f[3].toDouble(), (*scores)[std::size_t(k)].dev);
            QVERIFY(f[4].isEmpty()); // no test split
        }
    }
    QCOMPARE(lines[13].split(',').at(3).toDouble(), r.fullDev);
    QCOMPARE(lines[14].split(',').at(3).toDouble(), r.threshold);
    QCOMPARE(lines[15], "selected," + QByteArray::number(r.selectedIndex) + ','
                            + QByteArray::number(r.selectedLayer) + ','
                            + lines[1 + 6 + r.selectedIndex].split(',').at(3) + ',');

    // The majority-class baseline: one more line, legend entry and CSV row; NaN removes it.
    canvas.setBaseline(0.25);
    QCOMPARE(canvas.legendItemCount(), 6);
    QCOMPARE(canvas.legendNames().at(4), QStringLiteral("majority class (0.250)"));
    QVERIFY(canvas.csv().endsWith("baseline,,,0.25,\n"));
    QVERIFY(canvas.plot()->yAxis->range().lower <= 0.25);
    QTemporaryDir dir;
    checkExports(canvas, dir.path(), QStringLiteral("layerwise"));
    canvas.setBaseline(std::nan(""));
    QCOMPARE(canvas.legendItemCount(), 5);
    QVERIFY(!canvas.csv().contains("baseline"));
}

void TestCanvases::layerwiseEmptyState()
{
    LayerwiseCanvas canvas;
    canvas.setBaseline(0.3); // kept for the next result, not drawn without one
    QVERIFY(!canvas.hasResult());
    QCOMPARE(canvas.emptyHint(), QStringLiteral("Run layer-wise probes to see accuracy per layer"));
    QCOMPARE(canvas.csv(), QByteArray("series,index,layer,accuracy,test\n"));
    QCOMPARE(canvas.legendItemCount(), 0);
    canvas.resize(600, 400);
    canvas.show();
    QVERIFY(QTest::qWaitForWindowExposed(&canvas));
    QVERIFY(onlyCentreDrawn(snapshot(canvas)));
    QTemporaryDir dir;
    QString error;
    for (const QString &suffix : PlotCanvas::figureSuffixes()) {
        const QString path = dir.filePath(QStringLiteral("empty.") + suffix);
        QVERIFY2(canvas.exportFigure(path, 600, 400, 96, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 0);
    }
    canvas.setResult(demoAnalyses().layers);
    QCOMPARE(canvas.legendItemCount(), 6); // with the baseline
    canvas.clear();
    QVERIFY(!canvas.hasResult());
    QCOMPARE(canvas.legendItemCount(), 0);
    QVERIFY(onlyCentreDrawn(snapshot(canvas)));
}

QTEST_MAIN(TestCanvases)
#include "tst_canvases.moc"
