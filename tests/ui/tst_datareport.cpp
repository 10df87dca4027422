// The GUI's data report (DataDock, validationReport): dropped lines with the split's files, line
// numbers and reasons; the per-layer activation scale of train and the scale warning.
#include "salient/data/task.h"
#include "salient/ui/views/datadock.h"

#include <QTemporaryDir>
#include <QTest>

#include "taskfiles.h"

using namespace salient;

class TestDataReport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reportNamesDroppedLinesAndScales()
    {
        QTemporaryDir dir;
        const auto train = test::writeTaskFiles(dir.path(), QStringLiteral("t"), 60, {1, 1, 10});
        const auto dev = test::writeTaskFiles(dir.path(), QStringLiteral("d"), 20, {1, 1, 10}, 9);
        QVERIFY(test::addTokens(train.words, {5}));
        TaskInputs in;
        in.train = {train.activations, train.words, train.labels};
        in.dev = {dev.activations, dev.words, dev.labels};
        const LoadedTask task = loadTask(in);
        const QString report = ui::validationReport(task, QStringLiteral("files"));
        QVERIFY2(report.contains(QStringLiteral("dropped 1 of 60 lines")), qPrintable(report));
        QVERIFY2(report.contains(train.words) && report.contains(train.labels)
                     && report.contains(train.activations),
                 qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("line 5: ")), qPrintable(report));
        // Listed once, line by line, not repeated as a one-line warning.
        QCOMPARE(report.count(QStringLiteral("line 5")), 1);
        QVERIFY2(report.contains(QStringLiteral("Activation scale per layer")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("activation scales differ"))
                     && report.contains(QStringLiteral("Standardise")),
                 qPrintable(report));

        // Equal scales, clean files: no dropped lines, no scale warning.
        const auto flat = test::writeTaskFiles(dir.path(), QStringLiteral("f"), 60, {1, 1, 1});
        TaskInputs clean;
        clean.train = {flat.activations, flat.words, flat.labels};
        const QString quiet = ui::validationReport(loadTask(clean), QStringLiteral("files"));
        QVERIFY2(!quiet.contains(QStringLiteral("dropped")), qPrintable(quiet));
        QVERIFY2(quiet.contains(QStringLiteral("Activation scale per layer")), qPrintable(quiet));
        QVERIFY2(!quiet.contains(QStringLiteral("activation scales differ")), qPrintable(quiet));
    }
};

QTEST_MAIN(TestDataReport)
#include "tst_datareport.moc"
