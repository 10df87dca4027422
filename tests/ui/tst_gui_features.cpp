// Issue #4, the desktop app's missing pieces, offscreen: the live training curve, the Compare
// dock (its overlap equals core's), the report folder (files parse and are not blank; the salience
// CSV equals core's matrix), drag and drop, the cumulative-mass threshold, and neuron profiles
// computed off the GUI thread with stale results discarded.
#include "salient/analyses/analyses.h"
#include "salient/analyses/selectivity.h"
#include "salient/probe/salience.h"
#include "salient/session/session.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/probesettings.h"

#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace salient;
using namespace salient::ui;

namespace {

/// A demo window with a trained probe.
void trainDemo(MainWindow &w, quint64 seed = 1)
{
    w.setInteractive(false);
    QVERIFY(w.loadDemo() >= 0);
    QVERIFY(w.waitForJobs(120000));
    QVERIFY(w.task() != nullptr);
    auto *settings = w.findChild<ProbeSettingsWidget *>();
    QVERIFY(settings);
    ProbeOptions po = settings->options();
    po.seed = seed;
    settings->setOptions(po);
    QVERIFY(w.runAnalysisJob(QStringLiteral("probe")) >= 0);
    QVERIFY(w.waitForJobs(300000));
    QVERIFY(w.probe() != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// Flat top-k of a session's stored probe, ranked by core (demo layout: flat = column).
NeuronList coreTopK(const Session &s, int k)
{
    const NeuronList order = fullOrdering(s.arrays.at(QStringLiteral("probe/W")).cwiseAbs(), 100);
    return NeuronList(order.begin(),
                      order.begin() + std::min<std::ptrdiff_t>(k, std::ptrdiff_t(order.size())));
}

int shownCount(const SalienceHeatmapCanvas *h, int neurons, std::set<int> *shown = nullptr)
{
    int n = 0;
    for (int f = 0; f < neurons; ++f)
        if (h->isShown(f)) {
            ++n;
            if (shown)
                shown->insert(f);
        }
    return n;
}

} // namespace

class TestGuiFeatures : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<JobStatus>();
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTest"));
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        // SALIENT_KEEP_TEST_FILES=1 keeps the written reports and exports for inspection.
        if (qEnvironmentVariableIsSet("SALIENT_KEEP_TEST_FILES")) {
            m_dir.setAutoRemove(false);
            qInfo("test files kept in %s", qPrintable(m_dir.path()));
        }
    }

    // Issue #4 item 2: every batch of the demo training reaches the live plot, in order, with
    // finite loss and accuracy in [0, 1]; the curve stays after the job and restarts with the next.
    void liveTrainingCurve()
    {
        MainWindow w;
        w.setInteractive(false);
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        QSignalSpy points(w.jobs(), &JobRunner::trainingProgressed);
        QVERIFY(w.runAnalysisJob(QStringLiteral("probe")) >= 0);
        QVERIFY(w.waitForJobs(300000));
        QVERIFY(points.count() >= 1);
        const TrainingCurveCanvas *c = w.trainingCurve();
        const auto *settings = w.findChild<ProbeSettingsWidget *>();
        const ProbeOptions po = settings->options();
        const qint64 rows = w.task()->train->rows();
        const int expected = int((rows + po.batchSize - 1) / po.batchSize) * po.epochs;
        QCOMPARE(c->pointCount(), expected);
        qint64 last = 0;
        for (const TrainingPoint &p : c->points()) {
            QCOMPARE(p.batch, last + 1);
            last = p.batch;
            QVERIFY(std::isfinite(p.loss) && p.loss > 0);
            QVERIFY(p.accuracy >= 0 && p.accuracy <= 1);
        }
        QVERIFY(std::abs(c->points().back().epoch - po.epochs) < 1e-9);
        QVERIFY(c->csv().count('\n') == expected + 1);
        // Still there after the job; the next training starts a new curve.
        QApplication::processEvents();
        QCOMPARE(c->pointCount(), expected);
        QVERIFY(w.runAnalysisJob(QStringLiteral("probe")) >= 0);
        QVERIFY(w.waitForJobs(300000));
        QCOMPARE(c->pointCount(), expected);
    }

    // Issue #4 item 1: two sessions; the dock's numbers are core's neuronOverlap and
    // layerDistribution of the two stored probes.
    void compareTwoSessions()
    {
        const QString pathA = m_dir.filePath(QStringLiteral("a/session.json"));
        const QString pathB = m_dir.filePath(QStringLiteral("b/session.json"));
        QDir().mkpath(m_dir.filePath(QStringLiteral("a")));
        QDir().mkpath(m_dir.filePath(QStringLiteral("b")));
        {
            MainWindow wb;
            trainDemo(wb, 11);
            QVERIFY(wb.runAnalysisJob(QStringLiteral("ablation")) >= 0);
            QVERIFY(wb.waitForJobs(600000));
            QVERIFY(wb.saveSessionAs(pathB));
        }
        MainWindow w;
        trainDemo(w, 1);
        QVERIFY(w.saveSessionAs(pathA));
        QSignalSpy ready(&w, &MainWindow::comparisonReady);
        QVERIFY(w.loadCompareSession(pathB) >= 0);
        QVERIFY(w.waitForJobs(120000));
        QCOMPARE(ready.count(), 1);
        QVERIFY(w.controller()->result(QStringLiteral("compare"))); // core's analysis, recorded
        CompareDock *d = w.compareDock();
        QVERIFY(d->hasComparison());

        const Session a = loadSession(pathA), b = loadSession(pathB);
        const int neurons = w.task()->train->neurons();
        QCOMPARE(d->k(), std::max(1, int(0.05 * neurons)));
        QCOMPARE(d->k(), d->report().topK);
        for (int k : {d->k(), 10, 40}) {
            d->setK(k);
            const NeuronList ta = coreTopK(a, k), tb = coreTopK(b, k);
            const SetOverlap o = neuronOverlap(ta, tb);
            const Comparison &c = d->comparison();
            QCOMPARE(c.overlap.intersection, o.intersection);
            QCOMPARE(c.overlap.jaccard, o.jaccard);
            QCOMPARE(c.overlap.shared, o.shared);
            QCOMPARE(Index(c.onlyA.size()), Index(ta.size()) - o.intersection);
            QCOMPARE(Index(c.onlyB.size()), Index(tb.size()) - o.intersection);
            for (int n : c.onlyA)
                QVERIFY(std::count(ta.begin(), ta.end(), n) == 1
                        && std::count(tb.begin(), tb.end(), n) == 0);
            const Dataset &train = *w.task()->train;
            const LayerDistribution la = layerDistribution(
                train, fullOrdering(a.arrays.at(QStringLiteral("probe/W")).cwiseAbs(), 100), k);
            const LayerDistribution lb = layerDistribution(
                train, fullOrdering(b.arrays.at(QStringLiteral("probe/W")).cwiseAbs(), 100), k);
            QCOMPARE(c.layersA.counts, la.counts);
            QCOMPARE(c.layersB.counts, lb.counts);
            QVERIFY(d->summaryText().contains(QStringLiteral("%1 shared").arg(o.intersection)));
        }
        QCOMPARE(d->layerBars()->seriesCount(), 2);
        QVERIFY(d->hasCurvesB());  // B ran the ablation
        QVERIFY(!d->hasCurvesA()); // A did not

        // Its export: figures and tables.
        const QString out = m_dir.filePath(QStringLiteral("compare-export"));
        QVERIFY(QDir().mkpath(out));
        QStringList written;
        QString error;
        QVERIFY2(d->exportTo(out, out, out, &written, &error), qPrintable(error));
        for (const char *f : {"compare-layers.png", "compare-layers.svg", "compare-layers.pdf",
                              "compare-layers.csv", "compare-curves-b.png", "compare-overlap.csv",
                              "compare-overlap.json"})
            QVERIFY2(QFile::exists(out + QLatin1Char('/') + QLatin1String(f)), f);
        const QJsonObject j =
            QJsonDocument::fromJson(readAll(out + QStringLiteral("/compare-overlap.json")))
                .object();
        QCOMPARE(j.value(QStringLiteral("intersection")).toInt(),
                 int(d->comparison().overlap.intersection));

        // A session without a probe cannot be compared: a readable error, no crash.
        MainWindow empty;
        empty.setInteractive(false);
        QCOMPARE(empty.loadCompareSession(pathB), -1);
        QVERIFY(!empty.lastError().isEmpty());
    }

    // Issue #4 item 3: the report folder is complete, parses and is not blank.
    void exportReportWritesEverything()
    {
        MainWindow w;
        trainDemo(w);
        const QString dir = m_dir.filePath(QStringLiteral("report"));
        QString error;
        QVERIFY2(w.exportReport(dir, &error), qPrintable(error));
        for (const char *base : {"heatmap", "layers", "training", "words"}) {
            const QString png =
                dir + QStringLiteral("/figures/") + QLatin1String(base) + QStringLiteral(".png");
            const QImage img(png);
            QVERIFY2(!img.isNull(), qPrintable(png));
            QSet<QRgb> colours;
            for (int y = 0; y < img.height(); y += 5)
                for (int x = 0; x < img.width(); x += 5)
                    colours.insert(img.pixel(x, y));
            QVERIFY2(colours.size() > 10, qPrintable(png));
            const QString svg =
                dir + QStringLiteral("/figures/") + QLatin1String(base) + QStringLiteral(".svg");
            QFile sf(svg);
            QVERIFY(sf.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&sf);
            while (!xml.atEnd())
                xml.readNext();
            QVERIFY2(!xml.hasError(), qPrintable(svg + xml.errorString()));
            QVERIFY(QSvgRenderer(svg).isValid());
            QVERIFY(readAll(dir + QStringLiteral("/figures/") + QLatin1String(base)
                            + QStringLiteral(".pdf"))
                        .startsWith("%PDF"));
        }
        for (const char *t : {"heatmap", "layers", "training", "salience_matrix",
                              "inspector_classes", "inspector_top_words"}) {
            QVERIFY2(!readAll(dir + QStringLiteral("/tables/") + QLatin1String(t)
                              + QStringLiteral(".csv"))
                          .isEmpty(),
                     t);
            QJsonParseError pe;
            QJsonDocument::fromJson(readAll(dir + QStringLiteral("/tables/") + QLatin1String(t)
                                            + QStringLiteral(".json")),
                                    &pe);
            QVERIFY2(pe.error == QJsonParseError::NoError, t);
        }
        // The salience CSV is core's matrix.
        const Dataset &train = *w.task()->train;
        const SalienceMatrix s = salienceMatrix(*w.probe(), -1, SalienceMode::WeightShare);
        const QList<QByteArray> lines =
            readAll(dir + QStringLiteral("/tables/salience_matrix.csv")).trimmed().split('\n');
        QCOMPARE(int(lines.size()), s.layers + 1);
        for (int l = 0; l < s.layers; ++l) {
            const QList<QByteArray> cells = lines[l + 1].split(',');
            QCOMPARE(int(cells.size()), s.dims + 1);
            QCOMPARE(cells[0].toInt(), s.layerIds[std::size_t(l)]);
            for (int d = 0; d < s.dims; ++d)
                QCOMPARE(cells[d + 1].toFloat(), s.values(l, d));
        }
        // The ranking CSV is core's full ordering.
        const NeuronList order = fullOrdering(w.probe()->probe.W.cwiseAbs(), 100);
        const QList<QByteArray> rank =
            readAll(dir + QStringLiteral("/results/probe.ranking.csv")).trimmed().split('\n');
        QCOMPARE(int(rank.size()), int(order.size()) + 1);
        QCOMPARE(rank[1].split(',')[1].toInt(), flatNeuron(train, order[0]));
        // Parameters and the session.
        const QJsonObject params =
            QJsonDocument::fromJson(readAll(dir + QStringLiteral("/params.json"))).object();
        QVERIFY(params.value(QStringLiteral("analyses"))
                    .toObject()
                    .value(QStringLiteral("probe"))
                    .toObject()
                    .value(QStringLiteral("probe_options"))
                    .isObject());
        const Session back = loadSession(dir + QStringLiteral("/session.json"));
        QVERIFY(back.arrays.at(QStringLiteral("probe/W")) == w.probe()->probe.W);
        const QByteArray html = readAll(dir + QStringLiteral("/index.html"));
        QVERIFY(html.contains("<img src=\"figures/heatmap.png\""));
        QVERIFY(html.contains("tables/salience_matrix.csv"));
        QVERIFY(html.contains("params.json"));

        // Exporting again replaces the earlier report.
        QVERIFY2(w.exportReport(dir, &error), qPrintable(error));
        QVERIFY(QFile::exists(dir + QStringLiteral("/index.html")));
        // A folder with other files is refused and left alone; nothing partial is left.
        const QString foreign = m_dir.filePath(QStringLiteral("foreign"));
        QVERIFY(QDir().mkpath(foreign));
        QFile keep(foreign + QStringLiteral("/mine.txt"));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("x");
        keep.close();
        QVERIFY(!w.exportReport(foreign, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(QDir(foreign).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("mine.txt")});
        // A path below a regular file fails with a message.
        QVERIFY(!w.exportReport(foreign + QStringLiteral("/mine.txt/report"), &error));
        QVERIFY(!error.isEmpty());
        const QStringList leftovers =
            QDir(m_dir.path())
                .entryList({QStringLiteral(".*partial*")}, QDir::AllEntries | QDir::Hidden);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(QLatin1Char(' '))));
    }

    // Issue #4 item 4: a dropped session opens; data files prefill the Open-data dialog;
    // unknown files give a message.
    void dragAndDrop()
    {
        const QString session = m_dir.filePath(QStringLiteral("dropped.json"));
        {
            MainWindow w0;
            trainDemo(w0);
            QVERIFY(w0.saveSessionAs(session));
        }
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(w.acceptDrops());
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(session)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY(drop.isAccepted());
        QTRY_VERIFY_WITH_TIMEOUT(w.task() != nullptr && !w.jobs()->isRunning(), 120000);
        QVERIFY(w.probe() != nullptr);
        QVERIFY(w.windowTitle().contains(QStringLiteral("dropped.json")));

        // Activations + tokens + labels → the Open-data dialog, prefilled, nothing loaded yet.
        const QString acts = m_dir.filePath(QStringLiteral("model.train.hdf5"));
        const QString words = m_dir.filePath(QStringLiteral("train.words.txt"));
        const QString labels = m_dir.filePath(QStringLiteral("train.labels.txt"));
        const QString devActs = m_dir.filePath(QStringLiteral("model.dev.h5"));
        for (const QString &f : {acts, words, labels, devActs}) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("x\n");
        }
        w.openDroppedFiles({acts, words, labels, devActs});
        OpenDataDialog *dialog = w.pendingDataDialog();
        QVERIFY(dialog);
        const TaskInputs in = dialog->inputs();
        QCOMPARE(QFileInfo(in.train.activations).fileName(), QStringLiteral("model.train.hdf5"));
        QCOMPARE(QFileInfo(in.train.tokens).fileName(), QStringLiteral("train.words.txt"));
        QCOMPARE(QFileInfo(in.train.labels).fileName(), QStringLiteral("train.labels.txt"));
        QCOMPARE(QFileInfo(in.dev.activations).fileName(), QStringLiteral("model.dev.h5"));

        // Unknown files: a message naming them, no crash, nothing opened.
        const QString odd = m_dir.filePath(QStringLiteral("picture.xyz"));
        QFile oddFile(odd);
        QVERIFY(oddFile.open(QIODevice::WriteOnly));
        oddFile.close();
        const QString message = w.openDroppedFiles({odd});
        QVERIFY2(message.contains(QStringLiteral("picture.xyz")), qPrintable(message));
        QVERIFY(w.lastError().contains(QStringLiteral("picture.xyz")));
    }

    // Issue #4 item 5: the cumulative-mass control shows exactly core's withinCumulativeMass set.
    void cumulativeMassThreshold()
    {
        MainWindow w;
        trainDemo(w);
        const Dataset &train = *w.task()->train;
        const SalienceMatrix s = salienceMatrix(*w.probe(), -1, SalienceMode::WeightShare);
        const int neurons = train.neurons();
        QCOMPARE(shownCount(w.heatmap(), neurons), neurons);
        for (double percent : {10.0, 50.0, 90.0}) {
            w.heatmapMass()->setValue(percent);
            const NeuronList expected = withinCumulativeMass(s, percent / 100.0);
            std::set<int> shown;
            QCOMPARE(shownCount(w.heatmap(), neurons, &shown), int(expected.size()));
            QCOMPARE(shown, std::set<int>(expected.begin(), expected.end()));
            QVERIFY(int(expected.size()) < neurons);
        }
        // With top-k as well, both apply.
        w.heatmapMass()->setValue(10.0);
        const int small = int(withinCumulativeMass(s, 0.10).size());
        w.heatmapTopK()->setValue(small + 5);
        QCOMPARE(shownCount(w.heatmap(), neurons), small);
        w.heatmapTopK()->setValue(2);
        QCOMPARE(shownCount(w.heatmap(), neurons), std::min(2, small));
        w.heatmapTopK()->setValue(0);
        w.heatmapMass()->setValue(0.0);
        QCOMPARE(shownCount(w.heatmap(), neurons), neurons);
    }

    // Issue #4 item 7: the profile arrives from the background; quick re-selections discard the
    // older results, so only the last neuron is shown.
    void neuronProfileOffTheGuiThread()
    {
        MainWindow w;
        trainDemo(w);
        const Dataset &train = *w.task()->train;
        QSignalSpy ready(&w, &MainWindow::neuronProfileReady);
        const int stale = w.staleProfilesDiscarded();
        const int a = 1 * train.dims + 3, b = 2 * train.dims + 5, c = 4 * train.dims + 9;
        w.selectColumn(a);
        QVERIFY(w.profilePending());
        QVERIFY(w.inspector()->isBusy());
        w.selectColumn(b);
        w.selectColumn(c);
        QCOMPARE(w.selectedColumn(), c);
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(w.staleProfilesDiscarded(), stale + 2, 60000);
        QTest::qWait(50);
        QCOMPARE(ready.count(), 1);
        QCOMPARE(ready.first().at(0).toInt(), c);
        QCOMPARE(w.inspector()->summary().column, c);
        QVERIFY(!w.inspector()->isBusy());
        QVERIFY(!w.profilePending());
        QVERIFY(w.inspector()->summary().overallRank > 0);
        QCOMPARE(int(w.inspector()->summary().classes.size()), int(w.probe()->probe.W.rows()));
    }

    // Issue #4 item 6: the layout is saved with its version and restored.
    void layoutVersionSaved()
    {
        {
            MainWindow w;
            w.show();
            w.close();
        }
        QSettings s;
        // Version 4: the left column takes the full height (issue 12, a window that fits);
        // version 5: the Try-a-sentence dock (issue 14).
        QCOMPARE(s.value(QStringLiteral("window/layoutVersion")).toInt(), 6);
        QVERIFY(!s.value(QStringLiteral("window/state")).toByteArray().isEmpty());
        MainWindow again; // restores without complaint
        QVERIFY(again.restoreState(s.value(QStringLiteral("window/state")).toByteArray(), 6));
        QVERIFY(!again.restoreState(s.value(QStringLiteral("window/state")).toByteArray(), 1));
    }
};

QTEST_MAIN(TestGuiFeatures)
#include "tst_gui_features.moc"
