// Issue "one source of truth": every view shows what was computed for the data that is loaded.
// Each case of the issue is a test here (offscreen, real jobs, real files, real salient-cli):
// 1. switching data clears every view; 2. retraining with other λ invalidates derived results;
// 3. a GUI report replays number for number with salient-cli run; 4. a job's result reaches its
// own handler even when another job finishes first; 5. a layer-subset session selects the right
// neuron everywhere; 6. one ranking feeds tooltip, inspector, top-k and layer bars; 7. grid search,
// layer-wise probes and the probe's accuracy have views.
#include "salient/data/demo.h"
#include "salient/session/resultsjson.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/models/evaluationmodel.h"
#include "salient/ui/plotting/gridsearchcanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/layerwisecanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/views/analysisviews.h"
#include "salient/ui/views/curvesview.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/panels.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"

#define SALIENT_CLI SALIENT_CLI_PATH
#include "clirun.h"

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>
#include <set>

using namespace salient;
using namespace salient::ui;

namespace {

/// Small, fast probe settings for the tests.
ProbeOptions quickProbe(double l1 = 0, double l2 = 0)
{
    ProbeOptions po;
    po.epochs = 3;
    po.batchSize = 64;
    po.l1 = l1;
    po.l2 = l2;
    po.seed = 3;
    return po;
}

bool run(MainWindow &w, const QString &name, const QJsonObject &options = {},
         int timeoutMs = 600000)
{
    return w.runAnalysisJob(name, options) >= 0 && w.waitForJobs(timeoutMs);
}

/// Every number of two JSON values equal (exactly); @p skip lists keys not compared (timing).
void compareJson(const QJsonValue &a, const QJsonValue &b, const QString &path,
                 const std::set<QString> &skip, QStringList *diffs)
{
    if (a.type() != b.type()) {
        *diffs << QStringLiteral("%1: type %2 vs %3").arg(path).arg(a.type()).arg(b.type());
        return;
    }
    if (a.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        for (const QString &k : x.keys()) {
            if (skip.count(k))
                continue;
            if (!y.contains(k))
                *diffs << QStringLiteral("%1.%2: missing in replay").arg(path, k);
            else
                compareJson(x.value(k), y.value(k), path + QLatin1Char('.') + k, skip, diffs);
        }
    } else if (a.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size()) {
            *diffs << QStringLiteral("%1: %2 vs %3 entries").arg(path).arg(x.size()).arg(y.size());
            return;
        }
        for (qsizetype i = 0; i < x.size(); ++i)
            compareJson(x[i], y[i], QStringLiteral("%1[%2]").arg(path).arg(i), skip, diffs);
    } else if (a != b) {
        *diffs << QStringLiteral("%1: %2 vs %3")
                      .arg(path,
                           QString::fromUtf8(
                               QJsonDocument(QJsonArray{a}).toJson(QJsonDocument::Compact)),
                           QString::fromUtf8(
                               QJsonDocument(QJsonArray{b}).toJson(QJsonDocument::Compact)));
    }
}

/// Demo files (NeuroX layout) written once per test run.
TaskInputs demoFiles(const QString &dir)
{
    const DemoDataset demo = makeDemoDataset();
    writeDemoFiles(demo, dir);
    TaskInputs in;
    auto split = [&](const char *name) {
        SplitPaths s;
        s.activations = dir + QStringLiteral("/demo.%1.hdf5").arg(QLatin1String(name));
        s.tokens = dir + QStringLiteral("/demo.%1.words.txt").arg(QLatin1String(name));
        s.labels = dir + QStringLiteral("/demo.%1.pos.txt").arg(QLatin1String(name));
        return s;
    };
    in.train = split("train");
    in.dev = split("dev");
    return in;
}

} // namespace

class TestOneSource : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    TaskInputs m_files;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<JobStatus>();
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTestOneSource"));
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH); // the checker of untrusted files
        QVERIFY(m_dir.isValid());
        m_files = demoFiles(m_dir.path());
        for (const QString &f :
             {m_files.train.activations, m_files.train.tokens, m_files.train.labels})
            QVERIFY2(QFileInfo::exists(f), qPrintable(f));
    }

    // Case 1: a session with results, then the demo: nothing of the old data stays on screen.
    void switchingDataClearsEveryView()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        QVERIFY(w.loadFiles(m_files) >= 0);
        QVERIFY(w.waitForJobs(120000));
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(run(w, QStringLiteral("ablation"), {{QStringLiteral("seeds"), 1}}));
        QVERIFY(w.probe());
        QVERIFY(w.heatmap()->matrix().layers > 0);
        QVERIFY(w.heatmap()->emptyText().isEmpty()); // no "train a probe" over a drawn map
        QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
        QVERIFY(w.inspector()->summary().column >= 0);
        const quint64 generation = w.controller()->dataGeneration();

        QSignalSpy cleared(w.controller(), &SessionController::dataLoaded);
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        QCOMPARE(cleared.count(), 1);
        QVERIFY(w.controller()->dataGeneration() > generation);
        QVERIFY(w.probe() == nullptr);
        QVERIFY(w.controller()->resultNames().isEmpty());
        QVERIFY(w.session().results.isEmpty());
        QCOMPARE(w.heatmap()->matrix().layers, 0);
        QVERIFY(!w.heatmap()->emptyText().isEmpty());
        QCOMPARE(w.selectedColumn(), -1);
        QCOMPARE(w.inspector()->summary().column, -1);
        QCOMPARE(w.wordView()->sentenceCount(), 0);
        QVERIFY(w.curvesView()->canvas()->data().sizes.empty());
        QCOMPARE(w.probeSummary()->model()->rowCount(), 0);
        // A click on the (empty) heatmap selects nothing.
        w.selectColumn(5 * 32 + 3);
        QCOMPARE(w.selectedColumn(), 5 * 32 + 3); // a valid column of the demo...
        QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
        QCOMPARE(w.inspector()->summary().overallRank, 0); // ...but no probe: no rank shown
    }

    // Case 2: retraining with other λ removes the curves and selectivity computed with the old
    // ones (and says so); results with the same options stay.
    void retrainingInvalidatesDerivedResults()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(run(w, QStringLiteral("minimal-subset"),
                    {{QStringLiteral("fractions"), QJsonArray{0.05, 0.2, 0.5}}}));
        QVERIFY(run(w, QStringLiteral("selectivity")));
        QVERIFY(w.controller()->minimalSubset());
        QVERIFY(w.controller()->selectivity());
        QVERIFY(!w.curvesView()->selectivityLine().isEmpty());
        QVERIFY(!w.curvesView()->canvas()->data().subsetSizes.empty());

        QSignalSpy invalidated(w.controller(), &SessionController::resultInvalidated);
        w.probeSettings()->setOptions(quickProbe(1e-3, 0));
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(w.probe());
        QCOMPARE(w.probe()->options.l1, 1e-3);
        QVERIFY(w.controller()->minimalSubset() == nullptr);
        QVERIFY(w.controller()->selectivity() == nullptr);
        QVERIFY(invalidated.count() >= 2);
        QVERIFY(w.curvesView()->canvas()->data().subsetSizes.empty());
        QVERIFY(w.curvesView()->selectivityLine().isEmpty());
        QVERIFY(w.curvesView()->statusText().contains(QStringLiteral("removed")));
        QVERIFY(!w.session().results.contains(QStringLiteral("minimal-subset")));
        // Every result in the session carries the options it was computed with.
        for (const QString &name : w.session().analyses)
            QCOMPARE(w.session().probeOptionsFor(name).l1, 1e-3);

        // A new minimal subset replaces the selectivity that used the old one.
        QVERIFY(run(w, QStringLiteral("minimal-subset"),
                    {{QStringLiteral("fractions"), QJsonArray{0.05, 0.2}}}));
        QVERIFY(run(w, QStringLiteral("selectivity")));
        QVERIFY(w.controller()->selectivity());
        QVERIFY(run(w, QStringLiteral("minimal-subset"),
                    {{QStringLiteral("fractions"), QJsonArray{0.1}}}));
        QVERIFY(w.controller()->selectivity() == nullptr);
    }

    // Case 3: a report exported from the GUI replays with salient-cli run, number for number,
    // including a grid search whose winner was applied explicitly.
    // Seeds and baselines: an ablation with seeds 3 draws mean ± sd bands for top / random /
    // bottom and the dashed majority-baseline line; the minimal subset's text gives the size as
    // median and range over its seeds.
    void curvesShowSeedBandsAndBaseline()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QVERIFY(run(w, QStringLiteral("ablation"),
                    {{QStringLiteral("sizes"), QJsonArray{0.05, 0.2}},
                     {QStringLiteral("seeds"), 3},
                     {QStringLiteral("mode"), QStringLiteral("masking")}}));
        QVERIFY(w.controller()->ablation());
        const QCustomPlot *plot = w.curvesView()->canvas()->plot();
        std::set<QString> names, legend;
        for (int i = 0; i < plot->graphCount(); ++i) {
            const QCPGraph *g = plot->graph(i);
            names.insert(g->name());
            if (plot->legend->hasItemWithPlottable(g))
                legend.insert(g->name());
            // A band: the upper graph fills down to its lower graph, both with data.
            if (g->name().endsWith(QStringLiteral(" + sd"))) {
                const QCPGraph *lower = g->channelFillGraph();
                QVERIFY(lower != nullptr);
                QVERIFY(g->brush().style() != Qt::NoBrush);
                const QString lowerName = lower ? lower->name() : QString();
                QCOMPARE(lowerName, g->name().chopped(5) + QStringLiteral(" − sd"));
                QCOMPARE(g->data()->size(), 2);
                QVERIFY(!g->data()->isEmpty());
            }
        }
        for (const char *line : {"top", "random", "bottom"}) {
            const QString base = QStringLiteral("%1 (masking)").arg(QLatin1String(line));
            QVERIFY2(names.count(base + QStringLiteral(" + sd"))
                         && names.count(base + QStringLiteral(" − sd")),
                     line);
            QVERIFY2(legend.count(QStringLiteral("%1 (masking)").arg(QLatin1String(line))), line);
        }
        const AblationReport *ab = w.controller()->ablation();
        const QString baselineName = QStringLiteral("majority baseline (%1) %2")
                                         .arg(ab->result.baselineSelection.label)
                                         .arg(ab->result.baselineSelection.accuracy, 0, 'f', 2);
        QVERIFY2(legend.count(baselineName), qPrintable(baselineName));
        bool baselineLine = false;
        for (int i = 0; i < plot->itemCount(); ++i)
            if (auto *l = qobject_cast<QCPItemStraightLine *>(plot->item(i)))
                if (l->objectName() == QLatin1String("majorityBaseline")) {
                    baselineLine = true;
                    QCOMPARE(l->point1->value(), ab->result.baselineSelection.accuracy);
                    QCOMPARE(l->pen().style(), Qt::DashLine);
                }
        QVERIFY(baselineLine);
        // The lines are the means over the seeds.
        const CurvesData &d = w.curvesView()->canvas()->data();
        QCOMPARE(d.seeds, 3);
        QCOMPARE(d.masking.top, ab->result.masking.topMean);
        QVERIFY(w.curvesView()->statusText().contains(QStringLiteral("mean ± sd over 3 seeds")));
        QVERIFY(w.curvesView()->statusText().contains(QStringLiteral("majority baseline")));

        QVERIFY(run(w, QStringLiteral("minimal-subset"),
                    {{QStringLiteral("fractions"), QJsonArray{0.05, 0.2, 0.5}},
                     {QStringLiteral("seeds"), 3}}));
        const MinimalSubsetReport *ms = w.controller()->minimalSubset();
        QVERIFY(ms);
        const SeedSummary size = ms->result.sizeSummary();
        QCOMPARE(size.n, 3);
        const QString expected = QStringLiteral("size median %1 (range %2–%3) over 3 seeds")
                                     .arg(size.median, 0, 'g', 6)
                                     .arg(size.min, 0, 'g', 6)
                                     .arg(size.max, 0, 'g', 6);
        QVERIFY2(w.curvesView()->statusText().contains(expected),
                 qPrintable(w.curvesView()->statusText()));
    }

    void reportReplaysWithTheCli()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QVERIFY(run(w, QStringLiteral("grid-search"),
                    {{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-3}},
                     {QStringLiteral("l2_values"), QJsonArray{0.0}}}));
        QVERIFY(w.controller()->gridSearch());
        // Apply the winner (an explicit step), then the analyses that use it.
        QVERIFY(w.gridSearchView()->applyButton()->isEnabled());
        w.gridSearchView()->applyButton()->click();
        const GridSearchReport *grid = w.controller()->gridSearch();
        QVERIFY(grid);
        const GridCell *winner = grid->result.winner();
        QVERIFY(winner);
        const double bestL1 = winner->l1;
        QCOMPARE(w.probeSettings()->options().l1, bestL1);
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(run(w, QStringLiteral("minimal-subset"),
                    {{QStringLiteral("fractions"), QJsonArray{0.05, 0.2, 0.5}}}));
        QVERIFY(run(w, QStringLiteral("selectivity")));
        QVERIFY(w.controller()->gridSearch()); // kept: it scans λ itself

        const QString report = m_dir.filePath(QStringLiteral("report"));
        QString error;
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        const QString replay = m_dir.filePath(QStringLiteral("replay"));
        QVERIFY(QDir().mkpath(replay));
        const test::Run r =
            test::cli({QStringLiteral("run"), report + QStringLiteral("/session.json"),
                       QStringLiteral("--out"), replay});
        QVERIFY2(r.code == 0, r.err.constData());
        QStringList diffs;
        const std::set<QString> skip{QStringLiteral("timing")};
        for (const QString &name :
             {QStringLiteral("grid-search"), QStringLiteral("probe"),
              QStringLiteral("minimal-subset"), QStringLiteral("selectivity")}) {
            const QJsonObject gui =
                test::readJson(report + QStringLiteral("/results/%1.json").arg(name));
            const QJsonObject cli = test::readJson(replay + QStringLiteral("/%1.json").arg(name));
            QVERIFY2(!gui.isEmpty(), qPrintable(name));
            QVERIFY2(!cli.isEmpty(), qPrintable(name));
            compareJson(gui, cli, name, skip, &diffs);
        }
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.mid(0, 10).join(QLatin1Char('\n'))));
        // The report names each result's own λ and the grid's cost line.
        QFile index(report + QStringLiteral("/index.html"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(index.readAll());
        QVERIFY(html.contains(QStringLiteral("λ1 = %1").arg(bestL1)));
        QVERIFY(html.contains(QStringLiteral("points against the most accurate cell")));
        QVERIFY(html.contains(QStringLiteral("Majority baseline")));
    }

    // The grid view states the chosen cell's cost under the grid, in red with core's warnings
    // when it is above 2 points, and fades the cells the guarded rule excluded.
    void gridViewStatesTheCost()
    {
        const QString out = m_dir.filePath(QStringLiteral("gridcost"));
        QVERIFY(QDir().mkpath(out));
        const test::Run r = test::cli(
            {QStringLiteral("grid-search"), QStringLiteral("--train-activations"),
             m_files.train.activations, QStringLiteral("--train-tokens"), m_files.train.tokens,
             QStringLiteral("--train-labels"), m_files.train.labels, QStringLiteral("--epochs"),
             QStringLiteral("2"), QStringLiteral("--l1-values"), QStringLiteral("0,0.001"),
             QStringLiteral("--l2-values"), QStringLiteral("0"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString path = out + QStringLiteral("/session.json");
        // Rewrite the recorded result as the paper's rule choosing cell 1 with A_full 10 points
        // below cell 0 (= λ = 0): core recomputes the warnings of a file without them.
        QJsonObject session = test::readJson(path);
        QJsonObject results = session[QStringLiteral("results")].toObject();
        QJsonObject grid = results[QStringLiteral("grid-search")].toObject();
        QJsonArray cells = grid[QStringLiteral("cells")].toArray();
        QCOMPARE(cells.size(), 2);
        QJsonObject c0 = cells[0].toObject(), c1 = cells[1].toObject();
        c0[QStringLiteral("full")] = 0.9;
        c1[QStringLiteral("full")] = 0.8;
        cells = QJsonArray{c0, c1};
        grid[QStringLiteral("cells")] = cells;
        grid[QStringLiteral("best")] = 1;
        grid[QStringLiteral("selection")] = QStringLiteral("paper");
        grid.remove(QStringLiteral("warnings"));
        results[QStringLiteral("grid-search")] = grid;
        session[QStringLiteral("results")] = results;
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(session).toJson());
        f.close();

        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(w.openSession(path) >= 0);
        QVERIFY(w.waitForJobs(120000));
        QVERIFY(w.controller()->gridSearch());
        GridSearchView *view = w.gridSearchView();
        const QString cost = view->costText();
        QVERIFY2(cost.startsWith(QStringLiteral("Cost: 10.0 points against the most accurate "
                                                "cell, 10.0 against λ = 0 (grid cell).")),
                 qPrintable(cost));
        QVERIFY2(cost.contains(QStringLiteral("Warning: the chosen cell λ1=0.001, λ2=0 (rule "
                                              "paper) is 10.0 accuracy points")),
                 qPrintable(cost));
        auto *line = view->findChild<QLabel *>(QStringLiteral("gridCost"));
        QVERIFY(line);
        QVERIFY(!line->isHidden());
        QVERIFY(line->styleSheet().contains(QStringLiteral("#b00020")));
        QVERIFY(view->summaryText().contains(QStringLiteral("the paper's rule")));
        QVERIFY(view->summaryText().contains(QStringLiteral("Majority baseline")));
        // The paper's rule excludes nothing.
        QVERIFY(!view->canvas()->isExcluded(0) && !view->canvas()->isExcluded(1));

        // The same cells under the guarded rule: cell 1 is excluded (faded), cell 0 chosen, no
        // cost and no warning.
        grid[QStringLiteral("selection")] = QStringLiteral("guarded");
        grid[QStringLiteral("accuracy_tolerance")] = 1.0;
        grid[QStringLiteral("best")] = 0;
        results[QStringLiteral("grid-search")] = grid;
        session[QStringLiteral("results")] = results;
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(session).toJson());
        f.close();
        MainWindow w2;
        w2.setInteractive(false);
        w2.show();
        QVERIFY(w2.openSession(path) >= 0);
        QVERIFY(w2.waitForJobs(120000));
        GridSearchView *view2 = w2.gridSearchView();
        QVERIFY2(view2->costText().startsWith(QStringLiteral("Cost: 0.0 points")),
                 qPrintable(view2->costText()));
        QVERIFY(!view2->costText().contains(QStringLiteral("Warning")));
        QVERIFY(!view2->canvas()->isExcluded(0));
        QVERIFY(view2->canvas()->isExcluded(1));
        QVERIFY(view2->canvas()->tooltipForCell(1).contains(QStringLiteral("excluded")));
        QVERIFY(view2->canvas()->caption().contains(QStringLiteral("faded cells")));
    }

    // Case 4: a probe started while the checksum job of a load is queued gets its result shown,
    // and the checksums still reach the session.
    void twoJobsBothResultsArrive()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        // The moment the load's handler queues the checksum job (queued() is emitted inside
        // start()), start the probe behind it: the checksum finishes first.
        int probeJob = -1;
        connect(w.jobs(), &JobRunner::queued, &w, [&](int, const QString &name) {
            if (name.startsWith(QStringLiteral("Checksum")) && probeJob < 0)
                probeJob = w.runAnalysisJob(QStringLiteral("probe"));
        });
        QVERIFY(w.loadFiles(m_files) >= 0);
        QTRY_VERIFY_WITH_TIMEOUT(probeJob > 0, 120000);
        QVERIFY(w.waitForJobs(300000));
        QVERIFY(w.probe() != nullptr);
        QVERIFY(w.heatmap()->matrix().layers > 0);
        QVERIFY(!w.session().splits.at(QStringLiteral("train"))[0].sha256.isEmpty());
        QVERIFY(w.session().results.contains(QStringLiteral("probe")));
    }

    // Case 5 and 6: a session of layers 3 and 4 only; every cell selects that neuron in every
    // view, the inspector shows that neuron's weights and the same rank as the tooltip.
    void layerSubsetSessionSelectsTheRightNeuron()
    {
        const QString out = m_dir.filePath(QStringLiteral("subset"));
        QVERIFY(QDir().mkpath(out));
        const test::Run r = test::cli(
            {QStringLiteral("probe"), QStringLiteral("--train-activations"),
             m_files.train.activations, QStringLiteral("--train-tokens"), m_files.train.tokens,
             QStringLiteral("--train-labels"), m_files.train.labels, QStringLiteral("--layers"),
             QStringLiteral("3,4"), QStringLiteral("--epochs"), QStringLiteral("3"),
             QStringLiteral("--l1"), QStringLiteral("0.001"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(w.openSession(out + QStringLiteral("/session.json")) >= 0);
        QVERIFY(w.waitForJobs(120000));
        const ProbeReport *p = w.probe();
        QVERIFY(p);
        QCOMPARE(p->layout.layerIds, (std::vector<int>{3, 4}));
        // Opening a session selects its most salient neuron, as training does.
        QCOMPARE(w.selectedColumn(), p->ordering.front());
        const int dims = p->layout.dims;
        SalienceHeatmapCanvas *h = w.heatmap();
        h->resize(900, 300);
        QApplication::processEvents();
        QSignalSpy profiles(&w, &MainWindow::neuronProfileReady);
        for (int row = 0; row < 2; ++row) {
            for (int unit = 0; unit < dims; unit += 7) {
                const int column = row * dims + unit;
                QTest::mouseClick(h->plot(), Qt::LeftButton, Qt::NoModifier,
                                  h->pixelForNeuron(column));
                QTRY_COMPARE(w.selectedColumn(), column);
                QCOMPARE(w.selectedNeuron(), (NeuronId{3 + row, unit}));
                QCOMPARE(h->selectedNeuron(), column);
                QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
                const NeuronSummary &s = w.inspector()->summary();
                QCOMPARE(s.id, (NeuronId{3 + row, unit}));
                QCOMPARE(s.flatIndex, (3 + row) * dims + unit);
                QVERIFY(!s.classes.empty());
                for (const ClassWeight &c : s.classes)
                    QCOMPARE(float(c.weight), p->probe.W(c.label, column));
                // Case 6: one rank everywhere (tooltip, inspector, report ordering).
                QCOMPARE(s.overallRank, p->overallRank(column));
                QVERIFY(h->tooltipAt(row, unit).contains(
                    QStringLiteral("rank by weight mass %1 of").arg(s.overallRank)));
                QVERIFY(h->tooltipAt(row, unit).contains(
                    QStringLiteral("layer %1 · unit %2").arg(3 + row).arg(unit)));
            }
        }
        // Top-k in the heatmap is the first k of the ordering; the layer bars count the same set.
        w.heatmapTopK()->setValue(10);
        std::set<int> shown, first(p->ordering.begin(), p->ordering.begin() + 10);
        for (int c = 0; c < p->layout.columns(); ++c)
            if (h->isShown(c))
                shown.insert(c);
        QCOMPARE(shown, first);
        int inLayer3 = 0;
        for (int c : first)
            inLayer3 += c < dims ? 1 : 0;
        QCOMPARE(w.layerBars()->distribution(0).counts.at(0), inLayer3);
    }

    // Case 7: grid search and layer-wise probes have views; the probe's accuracies and majority
    // baseline are shown.
    void everyAnalysisHasAView()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe());
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QVERIFY(run(w, QStringLiteral("probe")));
        EvaluationModel *m = w.probeSummary()->model();
        QCOMPARE(m->rowCount(), int(w.probe()->splits.size()));
        const SplitEvaluation *dev = w.probe()->split(QStringLiteral("dev"));
        QVERIFY(dev);
        bool found = false;
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->data(m->index(r, EvaluationModel::Split)).toString() == QLatin1String("dev")) {
                found = true;
                QCOMPARE(m->data(m->index(r, EvaluationModel::Accuracy), Qt::UserRole).toDouble(),
                         dev->evaluation.accuracy);
                QCOMPARE(m->data(m->index(r, EvaluationModel::Majority), Qt::UserRole).toDouble(),
                         dev->majorityAccuracy);
            }
        QVERIFY(found);
        QVERIFY(run(w, QStringLiteral("grid-search"),
                    {{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-3}},
                     {QStringLiteral("l2_values"), QJsonArray{0.0, 1e-4}}}));
        QVERIFY(w.gridSearchView()->canvas()->hasResult());
        QCOMPARE(w.gridSearchView()->canvas()->selectedCell(),
                 w.controller()->gridSearch()->result.best);
        QVERIFY(w.gridSearchView()->costText().startsWith(QStringLiteral("Cost: ")));
        // Layer-wise with 3 seeds: ± sd error bars on every point and the majority baseline.
        QVERIFY(run(w, QStringLiteral("layerwise"), {{QStringLiteral("seeds"), 3}}));
        const LayerwiseReport *lw = w.controller()->layerwise();
        QVERIFY(lw);
        QCOMPARE(lw->result.seeds, 3);
        LayerwiseCanvas *canvas = w.layerwiseView()->canvas();
        QCOMPARE(canvas->errorBarCount(),
                 int(lw->result.independent.size() + lw->result.incremental.size()));
        QVERIFY(std::isfinite(lw->result.selectionBaseline.accuracy));
        QCOMPARE(canvas->baseline(), lw->result.selectionBaseline.accuracy);
        QVERIFY(canvas->legendNames().contains(
            QStringLiteral("majority class (%1)")
                .arg(lw->result.selectionBaseline.accuracy, 0, 'f', 3)));
        QVERIFY(canvas->legendNames().contains(
            QStringLiteral("independent probes (mean ± sd, 3 seeds)")));
        const QString summary = w.layerwiseView()->summaryText();
        QVERIFY2(summary.contains(QStringLiteral("on the mean over 3 seeds")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("Majority baseline on dev")), qPrintable(summary));

        // Selectivity over 3 control tasks, with the baselines, in the wrapped selectivity line.
        QVERIFY(run(w, QStringLiteral("selectivity"), {{QStringLiteral("seeds"), 3}}));
        const SelectivityReport *sel = w.controller()->selectivity();
        QVERIFY(sel);
        const QString line = w.curvesView()->selectivityLine();
        QVERIFY2(line.contains(QStringLiteral("selectivity %1 over 3 control tasks")
                                   .arg(sel->result.sets[0].selectivitySeeds.text(3))),
                 qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("majority baseline on dev")), qPrintable(line));
        QVERIFY2(line.contains(QStringLiteral("control task majority")), qPrintable(line));
        QVERIFY(w.curvesView()->findChild<QLabel *>(QStringLiteral("selectivity"))->wordWrap());
        // The report carries the same numbers: selectivity (no curves here) as its own section.
        QTemporaryDir reportDir;
        QString error;
        const QString report = reportDir.filePath(QStringLiteral("report"));
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        QFile index(report + QStringLiteral("/index.html"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(index.readAll());
        QVERIFY(html.contains(QStringLiteral("over 3 control tasks")));
        QVERIFY(html.contains(QStringLiteral("Majority baseline on dev")));
        QVERIFY(html.contains(QStringLiteral("on the mean over 3 seeds")));
        // The long lines wrap instead of widening the views (the window must fit 1366 × 768).
        QVERIFY2(w.curvesView()->minimumSizeHint().width() < 1366 / 2,
                 qPrintable(QString::number(w.curvesView()->minimumSizeHint().width())));
        QVERIFY2(w.layerwiseView()->minimumSizeHint().width() < 1366 / 2,
                 qPrintable(QString::number(w.layerwiseView()->minimumSizeHint().width())));
    }

    // The λ1 = 0 hint under the heatmap follows the grid search: it suggests one while there is
    // none, and says the grid chose λ1 = 0 once it did (the hint updates when the grid arrives).
    void lambdaZeroHintFollowsTheGridSearch()
    {
        MainWindow w;
        w.setInteractive(false);
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QLabel *hint = w.salienceView()->findChild<QLabel *>(QStringLiteral("heatmapHint"));
        QVERIFY(hint);
        QVERIFY(run(w, QStringLiteral("probe")));
        QCOMPARE(w.probe()->options.l1, 0.0);
        QVERIFY2(hint->text().contains(QStringLiteral("A grid search")), qPrintable(hint->text()));
        QVERIFY(run(w, QStringLiteral("grid-search"),
                    {{QStringLiteral("l1_values"), QJsonArray{0.0}},
                     {QStringLiteral("l2_values"), QJsonArray{0.0}}}));
        QVERIFY2(hint->text().contains(QStringLiteral("as the grid search chose")),
                 qPrintable(hint->text()));
    }

    // Repeated probes (Run › Seeds): the evaluation table shows mean ± sd, the heatmap a
    // stability line (wrapping, never widening the window) and the report the same; a single
    // seed shows neither, and new data clears the line.
    void probeSeedsShowSpreadAndStability()
    {
        MainWindow w;
        w.setInteractive(false);
        w.probeSettings()->setOptions(quickProbe(1e-3));
        w.resize(900, 700);
        w.show();
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        auto *line = w.salienceView()->findChild<QLabel *>(QStringLiteral("heatmapStability"));
        QVERIFY(line);
        QCOMPARE(line->sizePolicy().horizontalPolicy(), QSizePolicy::Ignored);
        QVERIFY(line->wordWrap());
        EvaluationModel *m = w.probeSummary()->model();
        auto devRow = [&] {
            for (int r = 0; r < m->rowCount(); ++r)
                if (m->data(m->index(r, EvaluationModel::Split)).toString() == QLatin1String("dev"))
                    return r;
            return -1;
        };

        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(w.salienceView()->stabilityText().isEmpty());
        QVERIFY(line->isHidden());
        QVERIFY(devRow() >= 0);
        QVERIFY(!m->data(m->index(devRow(), EvaluationModel::Accuracy))
                     .toString()
                     .contains(QStringLiteral("±")));
        const int minWidth = w.minimumSizeHint().width();

        QSpinBox *seeds = w.runPanel()->probeSeeds();
        QVERIFY(seeds);
        seeds->setValue(3);
        QVERIFY(run(w, QStringLiteral("probe")));
        QCOMPARE(w.session()
                     .analysisOptions.value(QStringLiteral("probe"))[QStringLiteral("seeds")]
                     .toInt(),
                 3);
        const ProbeReport *p = w.probe();
        QVERIFY(p && p->seedRuns.size() == 3 && p->stability && p->standardizeComparison);
        const QString text = w.salienceView()->stabilityText();
        QVERIFY2(text.contains(QStringLiteral("(3 seeds); top-%1 stability: Jaccard").arg(p->topK)),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("standardised vs raw")), qPrintable(text));
        QCOMPARE(text, QStringLiteral("Seeds: %1.").arg(seedStabilityText(*p)));
        QVERIFY(!line->isHidden());
        QVERIFY(w.minimumSizeHint().width() <= minWidth); // the long line wraps instead
        const SplitEvaluation *dev = p->split(QStringLiteral("dev"));
        const QString shown = m->data(m->index(devRow(), EvaluationModel::Accuracy)).toString();
        QCOMPARE(shown, QStringLiteral("%1 (3 seeds)").arg(dev->accuracySeeds.text(3)));
        QVERIFY(shown.contains(QStringLiteral("±")));
        QCOMPARE(m->data(m->index(devRow(), EvaluationModel::Accuracy), Qt::UserRole).toDouble(),
                 dev->evaluation.accuracy); // the raw value stays the primary probe's

        // The report carries the same line and the per-seed table.
        const QString report = m_dir.filePath(QStringLiteral("seeds-report"));
        QString error;
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        QFile index(report + QStringLiteral("/index.html"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QString html = QString::fromUtf8(index.readAll());
        QVERIFY(html.contains(QStringLiteral("Seeds: ") + seedStabilityText(*p).toHtmlEscaped()));
        QVERIFY(QFileInfo::exists(report + QStringLiteral("/results/probe.seeds.csv")));

        // Back to one seed: no line; new data: no line.
        seeds->setValue(1);
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(w.salienceView()->stabilityText().isEmpty());
        seeds->setValue(3);
        QVERIFY(run(w, QStringLiteral("probe")));
        QVERIFY(!w.salienceView()->stabilityText().isEmpty());
        // Reopened, the session's Seeds box says 3 (training again repeats what is shown).
        const QString saved = m_dir.filePath(QStringLiteral("seeds-session.json"));
        QVERIFY(w.saveSessionAs(saved));
        {
            MainWindow w2;
            w2.setInteractive(false);
            QCOMPARE(w2.runPanel()->probeSeeds()->value(), 1);
            QVERIFY(w2.openSession(saved) >= 0 && w2.waitForJobs(120000));
            QCOMPARE(w2.runPanel()->probeSeeds()->value(), 3);
            QVERIFY(!w2.salienceView()->stabilityText().isEmpty());
        }
        QVERIFY(w.loadDemo() >= 0 && w.waitForJobs(120000));
        QCOMPARE(seeds->value(), 1); // new data: a new session
        QVERIFY(w.salienceView()->stabilityText().isEmpty());
        QVERIFY(line->isHidden());
    }
};

QTEST_MAIN(TestOneSource)
#include "tst_onesource.moc"
