// File › Extract activations…: the dialog's checks, the job, and the offer to open the result.
#include "salient/io/activationstore.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/extractdialog.h"

#include "testutil.h"

#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using namespace salient::ui;

class TestExtractGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void labelsFileByName()
    {
        QTemporaryDir tmp;
        for (const char *n : {"ptb_pos.train.words.txt", "ptb_pos.train.labels.txt", "x.tokens",
                              "x.labels", "plain.txt"}) {
            QFile f(tmp.filePath(QString::fromLatin1(n)));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QCOMPARE(matchingLabelsFile(tmp.filePath(QStringLiteral("ptb_pos.train.words.txt"))),
                 tmp.filePath(QStringLiteral("ptb_pos.train.labels.txt")));
        QCOMPARE(matchingLabelsFile(tmp.filePath(QStringLiteral("x.tokens"))),
                 tmp.filePath(QStringLiteral("x.labels")));
        QCOMPARE(matchingLabelsFile(tmp.filePath(QStringLiteral("plain.txt"))), QString());
    }

    void dialogSaysWhatIsMissing()
    {
        ExtractDialog d;
        QVERIFY(d.problem().contains(QStringLiteral("Choose a model")));
        QTemporaryDir tmp;
        ExtractRequest r;
        r.model = tmp.path(); // a folder without config.json
        d.setRequest(r);
        QVERIFY2(d.problem().contains(QStringLiteral("no config.json")), qPrintable(d.problem()));
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-bert");
        r.model = dir;
        r.sentences = dir + QStringLiteral("/sentences.txt");
        r.output = tmp.filePath(QStringLiteral("o.hdf5"));
        r.options.layers = {0, 2};
        r.options.aggregation = model::Aggregation::Average;
        d.setRequest(r);
        QCOMPARE(d.problem(), QString());
        const ExtractRequest back = d.request();
        QCOMPARE(back.options.layers, (std::vector<int>{0, 2}));
        QCOMPARE(back.options.aggregation, model::Aggregation::Average);
        QCOMPARE(back.output, r.output);
    }

    void extractionJobOffersTheResult()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-bert");
        QTemporaryDir tmp;
        // The sentences with a labels file beside them, named as the corpora are.
        const QString words = tmp.filePath(QStringLiteral("golden.dev.words.txt"));
        QVERIFY(QFile::copy(dir + QStringLiteral("/sentences.txt"), words));
        QFile labels(tmp.filePath(QStringLiteral("golden.dev.labels.txt")));
        QVERIFY(labels.open(QIODevice::WriteOnly));
        labels.close();
        MainWindow w;
        w.setInteractive(false);
        ExtractRequest r;
        r.model = dir;
        r.sentences = words;
        r.output = tmp.filePath(QStringLiteral("golden.dev.hdf5"));
        QSignalSpy finished(w.jobs(), &JobRunner::finished);
        const int id = w.extractActivations(r);
        QVERIFY(id > 0);
        QVERIFY(w.waitForJobs(120000));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0).at(1).value<JobStatus>(), JobStatus::Ok);
        QCOMPARE(w.lastExtractionInputs().train.activations, r.output);
        QCOMPARE(w.lastExtractionInputs().train.tokens, words);
        QCOMPARE(w.lastExtractionInputs().train.labels, labels.fileName());
        QCOMPARE(ActivationStore::open(r.output)->info().sentences, Index(28));
    }

    void cancelledExtractionResumes()
    {
        SALIENT_REQUIRE_SHARED(dir, "spec/golden/models/tiny-gpt2");
        QTemporaryDir tmp;
        MainWindow w;
        w.setInteractive(false);
        ExtractRequest r;
        r.model = dir;
        r.sentences = dir + QStringLiteral("/sentences.txt");
        r.output = tmp.filePath(QStringLiteral("c.hdf5"));
        r.options.batchSentences = 1; // windows of 4 sentences: several progress reports
        QSignalSpy progressed(w.jobs(), &JobRunner::progressed);
        QSignalSpy finished(w.jobs(), &JobRunner::finished);
        const int id = w.extractActivations(r);
        // Cancel at the first report of sentences done.
        QTRY_VERIFY_WITH_TIMEOUT(progressed.size() >= 2 || finished.size() == 1, 60000);
        w.jobs()->cancel(id);
        QVERIFY(w.waitForJobs(60000));
        QCOMPARE(finished.size(), 1);
        const auto status = finished.at(0).at(1).value<JobStatus>();
        if (status == JobStatus::Cancelled) {
            QVERIFY(!QFileInfo::exists(r.output));
            QVERIFY(finished.at(0).at(2).toString().contains(QStringLiteral("resumes")));
            // The same request resumes to a complete file.
            w.extractActivations(r);
            QVERIFY(w.waitForJobs(60000));
        }
        QCOMPARE(ActivationStore::open(r.output)->info().sentences, Index(28));
    }
};

QTEST_MAIN(TestExtractGui)
#include "tst_extractgui.moc"
