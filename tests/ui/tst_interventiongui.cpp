// Issue 14 in the GUI: Run › Intervention… runs core's "intervention" analysis as a background
// job on an opened session (stories260K, PTB POS probe), the view plots top-k vs random-k from
// the controller's result, the GUI thread keeps processing events while it runs, and the Generate
// panel shows the clean and the intervened continuation side by side.
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/interventionview.h"

#define SALIENT_CLI SALIENT_CLI_PATH
#include "clirun.h"
#include "testutil.h"

#include <QElapsedTimer>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <qcustomplot.h>

using namespace salient;
using namespace salient::ui;

class TestInterventionGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runAndGenerate()
    {
        SALIENT_REQUIRE_SHARED(data, "data");
        if (!QFileInfo::exists(data + QStringLiteral("/model/stories260K.bin")))
            QSKIP("SKIPPED: ../shared/data/model/stories260K.bin missing");
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("probe"));
        const auto r = test::cli(
            {QStringLiteral("probe"), QStringLiteral("--train-activations"),
             data + QStringLiteral("/stories260K.ptb.dev.hdf5"), QStringLiteral("--train-tokens"),
             data + QStringLiteral("/ptb_pos.dev.words.txt"), QStringLiteral("--train-labels"),
             data + QStringLiteral("/ptb_pos.dev.labels.txt"), QStringLiteral("--epochs"),
             QStringLiteral("2"), QStringLiteral("--out"), dir});
        QVERIFY2(r.code == 0, r.err.constData());

        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(w.openSession(dir + QStringLiteral("/session.json")) >= 0 && w.waitForJobs(120000));
        QVERIFY(w.controller()->probe());
        auto *view = w.findChild<InterventionView *>();
        QVERIFY(view);
        view->modelEdit()->setText(data + QStringLiteral("/model/stories260K.bin"));
        const QList<QLineEdit *> edits = view->findChildren<QLineEdit *>();
        QLineEdit *tokenizer = nullptr;
        for (QLineEdit *e : edits)
            if (e->placeholderText().contains(QLatin1String("tokenizer.bin")))
                tokenizer = e;
        QVERIFY(tokenizer);
        tokenizer->setText(data + QStringLiteral("/model/tok512.bin"));
        QJsonObject o = view->options();
        QCOMPARE(o.value(QLatin1String("mode")).toString(), QStringLiteral("zero"));

        // A small run: 10 sentences, k up to 4, 2 draws. The GUI thread stays responsive: a 20 ms
        // timer keeps firing while the job runs.
        w.controller()->runAnalysis(
            QStringLiteral("intervention"),
            w.controller()->session().probeOptionsFor(QStringLiteral("probe")),
            QJsonObject{{QStringLiteral("model"), o.value(QLatin1String("model"))},
                        {QStringLiteral("tokenizer"), tokenizer->text()},
                        {QStringLiteral("sizes"), QJsonArray{1, 2, 4}},
                        {QStringLiteral("draws"), 2},
                        {QStringLiteral("max_sentences"), 10}});
        int ticks = 0;
        QTimer timer;
        connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
        timer.start(20);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(w.waitForJobs(300000));
        timer.stop();
        if (clock.elapsed() > 400)
            QVERIFY2(
                ticks >= 3,
                qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(clock.elapsed())));
        const AnalysisResult *res = w.controller()->result(QStringLiteral("intervention"));
        QVERIFY(res && std::holds_alternative<JsonReport>(*res));
        QVERIFY(w.controller()->session().results.contains(QStringLiteral("intervention")));
        // top-k, random mean, min, max, clean
        QCOMPARE(view->accuracyCanvas()->plot()->graphCount(), 5);
        QCOMPARE(view->accuracyCanvas()->plot()->graph(0)->dataCount(), 3);
        QVERIFY(view->accuracyCanvas()->emptyText().isEmpty());
        QVERIFY(!view->lossCanvas()->emptyText().isEmpty()); // no text file: no loss
        // The report carries the result (JSON, CSV) and the accuracy figure.
        const QString report = tmp.filePath(QStringLiteral("report"));
        QString error;
        QVERIFY2(w.exportReport(report, &error), qPrintable(error));
        for (const char *f :
             {"results/intervention.json", "results/intervention.curve.csv",
              "figures/intervention_accuracy.pdf", "tables/intervention_accuracy.csv"})
            QVERIFY2(QFileInfo::exists(report + QLatin1Char('/') + QLatin1String(f)), f);
        QVERIFY(!QFileInfo::exists(report + QStringLiteral("/figures/intervention_loss.pdf")));

        // Generate: clean vs the probe's top-16 zeroed, side by side.
        view->neuronsEdit()->setText(QStringLiteral("top:16"));
        QSignalSpy done(view, &InterventionView::generated);
        QVERIFY(view->generateNow() >= 0);
        QVERIFY(done.wait(120000));
        QVERIFY2(view->cleanText()->toPlainText().startsWith(
                     QLatin1String("Once upon a time, there was a little girl named Lily.")),
                 qPrintable(view->cleanText()->toPlainText()));
        QVERIFY(!view->intervenedText()->toPlainText().isEmpty());
    }
};

QTEST_MAIN(TestInterventionGui)
#include "tst_interventiongui.moc"
