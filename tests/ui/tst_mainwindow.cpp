// The main window end to end, offscreen: demo → train → heatmap equals core's salience matrix →
// a click selects the neuron everywhere → the per-word colours follow that neuron → exports;
// cancel; a malformed file gives an error, not a crash; session save and reopen.
#include "salient/data/demo.h"
#include "salient/probe/salience.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/wordactivationview.h"

#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace salient;
using namespace salient::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<JobStatus>();
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTest"));
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH); // the checker of untrusted files
    }

    void demoTrainSelectExport()
    {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        QVERIFY(w.task() != nullptr);
        QSignalSpy done(&w, &MainWindow::analysisFinished);
        w.runAnalysisJob(QStringLiteral("probe"));
        QVERIFY(w.waitForJobs(300000));
        QCOMPARE(done.count(), 1);
        QVERIFY(w.probe() != nullptr);

        // The heatmap shows exactly core's salience matrix, and its CSV too.
        const Dataset &train = *w.task()->train;
        const SalienceMatrix s = salienceMatrix(*w.probe(), -1, SalienceMode::WeightShare);
        SalienceHeatmapCanvas *h = w.heatmap();
        h->setOrder(SalienceHeatmapCanvas::Order::ByIndex);
        for (int l = 0; l < s.layers; ++l)
            for (int d = 0; d < s.dims; ++d)
                QCOMPARE(float(h->valueAt(l, d)), s.values(l, d));
        QVERIFY(!h->csv().isEmpty());

        // The label chooser shows one label's salience; top-k hides the rest.
        w.heatmapLabelChooser()->setCurrentIndex(2);
        const SalienceMatrix one = salienceMatrix(*w.probe(), 1, SalienceMode::WeightShare);
        h->setOrder(SalienceHeatmapCanvas::Order::ByIndex);
        QCOMPARE(float(h->valueAt(4, 3)), one.values(4, 3));
        w.heatmapTopK()->setValue(5);
        int shown = 0;
        for (int f = 0; f < train.neurons(); ++f)
            shown += h->isShown(f) ? 1 : 0;
        QCOMPARE(shown, 5);
        w.heatmapTopK()->setValue(0);
        w.heatmapLabelChooser()->setCurrentIndex(0);
        h->setOrder(SalienceHeatmapCanvas::Order::ByIndex);

        // A click at the computed pixel selects that neuron in every view.
        const int target = 2 * train.dims + 7;
        h->resize(900, 400);
        QApplication::processEvents();
        QSignalSpy selected(&w, &MainWindow::neuronSelected);
        QTest::mouseClick(h->plot(), Qt::LeftButton, Qt::NoModifier, h->pixelForNeuron(target));
        QTRY_VERIFY(!selected.isEmpty());
        QCOMPARE(w.selectedColumn(), target);
        QCOMPARE(h->selectedNeuron(), target);
        // The profile (word view, inspector) arrives from a background computation.
        QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
        QCOMPARE(w.inspector()->summary().column, target);
        QVERIFY(w.wordView()->sentenceCount() > 0);
        w.wordSearch()->setText(QStringLiteral("the"));
        QVERIFY(w.wordView()->matchCount() > 0);
        w.wordSearch()->clear();
        // The per-word colours follow that neuron's activations: the most saturated token of the
        // first sentence is the one with the largest |activation| of column `target`.
        const WordActivationView *v = w.wordView();
        QVERIFY(v->tokenColour(0, 0).isValid() || v->tokenColour(0, 1).isValid());

        // Figures export and are not blank.
        const QString png = m_dir.filePath(QStringLiteral("heatmap.png"));
        const QString svg = m_dir.filePath(QStringLiteral("heatmap.svg"));
        const QString pdf = m_dir.filePath(QStringLiteral("heatmap.pdf"));
        QVERIFY(h->exportFigure(png, 1200, 600, 150));
        QVERIFY(h->exportFigure(svg, 1200, 600));
        QVERIFY(h->exportFigure(pdf, 1200, 600));
        QVERIFY(!QImage(png).isNull());
        QVERIFY(QSvgRenderer(svg).isValid());
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(4) == "%PDF");

        // Session save and reopen in a fresh window shows the same probe.
        const QString session = m_dir.filePath(QStringLiteral("s.json"));
        QVERIFY(w.saveSessionAs(session));
        MainWindow w2;
        w2.setInteractive(false);
        QVERIFY(w2.openSession(session) >= 0);
        QVERIFY(w2.waitForJobs(120000));
        QVERIFY(w2.probe() != nullptr);
        QVERIFY(w2.probe()->probe.W == w.probe()->probe.W);

        QVERIFY(w.writeScreenshots(m_dir.filePath(QStringLiteral("shots"))));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("shots/heatmap.png"))));
    }

    void cancelRunningJob()
    {
        MainWindow w;
        w.setInteractive(false);
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        QSignalSpy finished(w.jobs(), &JobRunner::finished);
        const int id = w.runAnalysisJob(QStringLiteral("grid-search"));
        QVERIFY(id >= 0);
        QTest::qWait(50);
        w.jobs()->cancel(id);
        QVERIFY(w.waitForJobs(120000));
        QVERIFY(!finished.isEmpty());
        QCOMPARE(finished.last().at(1).value<JobStatus>(), JobStatus::Cancelled);
        QVERIFY(!w.session().results.contains(QStringLiteral("grid-search")));
    }

    // Data larger than the memory budget: the dialog estimates the plan before loading, the load
    // streams, the report says so, a probe trains from disk, and the per-word view explains
    // instead of reading rows that are not in memory.
    void streamedDataEstimateLoadTrain()
    {
        DemoOptions o;
        o.trainSentences = 600; // about 5 MB as float32
        o.devSentences = o.testSentences = 20;
        const QString dir = m_dir.filePath(QStringLiteral("streamed"));
        QVERIFY(QDir().mkpath(dir));
        writeDemoFiles(makeDemoDataset(o), dir);
        TaskInputs in;
        const QString base = dir + QStringLiteral("/demo.train");
        in.train = {base + QStringLiteral(".hdf5"), base + QStringLiteral(".words.txt"),
                    base + QStringLiteral(".pos.txt")};
        in.memoryBudget = 1000000; // 1 MB: well below the matrix
        in.options.storage = StorageMode::Auto;

        JobRunner estimates;
        OpenDataDialog dialog(&estimates);
        dialog.setInputs(in);
        QTRY_VERIFY2_WITH_TIMEOUT(
            dialog.memoryEstimate().contains(QStringLiteral("streamed from disk")),
            qPrintable(dialog.memoryEstimate()), 20000);
        QCOMPARE(dialog.inputs().options.storage, StorageMode::Auto);
        QCOMPARE(dialog.inputs().memoryBudget, quint64(1000000));

        MainWindow w;
        w.setInteractive(false);
        w.show();
        w.loadFiles(dialog.inputs());
        QVERIFY(w.waitForJobs(120000));
        QVERIFY2(w.task() != nullptr, qPrintable(w.lastError()));
        QCOMPARE(w.task()->train->storage, StorageMode::Streamed);
        QVERIFY2(w.dataDock()->reportText().contains(QStringLiteral("streamed from disk")),
                 qPrintable(w.dataDock()->reportText()));
        w.runAnalysisJob(QStringLiteral("probe"));
        QVERIFY(w.waitForJobs(300000));
        QVERIFY2(w.probe() != nullptr, qPrintable(w.lastError()));
        w.selectColumn(3);
        QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
        QVERIFY2(w.wordView()->data().title.contains(QStringLiteral("float32")),
                 qPrintable(w.wordView()->data().title));
        QVERIFY(w.lastError().isEmpty());
    }

    // A file that crashes the reader (simulated: a checker that dies from SIGSEGV) is reported as
    // a malformed file by the child-process check; the window and its session survive.
    void crashingFileIsCaughtInAChildProcess()
    {
        const QString script = m_dir.filePath(QStringLiteral("crash.sh"));
        QFile sf(script);
        QVERIFY(sf.open(QIODevice::WriteOnly));
        sf.write("#!/bin/sh\nkill -SEGV $$\n");
        sf.close();
        QVERIFY(sf.setPermissions(sf.permissions() | QFileDevice::ExeOwner));
        qputenv("SALIENT_CLI", QFile::encodeName(script));
        MainWindow w;
        w.setInteractive(false);
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        const LoadedTask *before = w.task();
        TaskInputs in;
        const QString file = m_dir.filePath(QStringLiteral("evil.hdf5"));
        QFile ef(file);
        QVERIFY(ef.open(QIODevice::WriteOnly));
        ef.write("\x89HDF\r\n\x1a\n garbage");
        ef.close();
        in.train = {file, file, file};
        w.loadFiles(in);
        QVERIFY(w.waitForJobs(60000));
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH);
        QVERIFY2(w.lastError().contains(QStringLiteral("crashed")), qPrintable(w.lastError()));
        QVERIFY2(w.lastError().contains(QStringLiteral("evil.hdf5")), qPrintable(w.lastError()));
        QCOMPARE(w.task(), before); // the demo stays loaded
    }

    void malformedFileGivesAnError()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.hdf5"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not an hdf5 file");
        f.close();
        MainWindow w;
        w.setInteractive(false);
        TaskInputs in;
        in.train = {bad, bad, bad};
        w.loadFiles(in);
        QVERIFY(w.waitForJobs(60000));
        QVERIFY(w.task() == nullptr);
        QVERIFY2(w.lastError().contains(QStringLiteral("bad.hdf5")), qPrintable(w.lastError()));
        QCOMPARE(w.openSession(bad), -1);
        QVERIFY(!w.lastError().isEmpty());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
