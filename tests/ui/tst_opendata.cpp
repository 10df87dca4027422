// Issue 12 item 6, offscreen: the Open-data dialog fills dev/test from the train file names,
// remembers what was typed across a failed load, lists recent data sets, and passes the CLI's
// data options (task, layers, binarize, balance) and --standardize to the loaded data and the
// probe.
#include "salient/data/demo.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/datadock.h"
#include "salient/ui/views/probesettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace salient;
using namespace salient::ui;

namespace {

void touch(const QString &path)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x\n");
}

} // namespace

class TestOpenData : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString demo(const QString &split, const QString &kind) const
    {
        return path(QStringLiteral("demo/demo.%1.%2").arg(split, kind));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTest"));
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        OpenDataDialog::setSettingsPath(path(QStringLiteral("settings.ini")));
        DemoOptions o;
        o.trainSentences = 120;
        o.devSentences = o.testSentences = 40;
        writeDemoFiles(makeDemoDataset(o), path(QStringLiteral("demo")));
    }

    void siblingNames_data()
    {
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<QString>("train");
        QTest::addColumn<QString>("dev");
        QTest::addColumn<QString>("test");
        QTest::newRow("ptb words") << QStringList{QStringLiteral("ptb_pos.dev.words.txt")}
                                   << QStringLiteral("ptb_pos.train.words.txt")
                                   << QStringLiteral("ptb_pos.dev.words.txt") << QString();
        QTest::newRow("hdf5") << QStringList{QStringLiteral("stories260K.ptb.dev.hdf5"),
                                             QStringLiteral("stories260K.ptb.test.hdf5")}
                              << QStringLiteral("stories260K.ptb.train.hdf5")
                              << QStringLiteral("stories260K.ptb.dev.hdf5")
                              << QStringLiteral("stories260K.ptb.test.hdf5");
        QTest::newRow("valid, case kept")
            << QStringList{QStringLiteral("Valid_acts.h5"), QStringLiteral("Test_acts.h5")}
            << QStringLiteral("Train_acts.h5") << QStringLiteral("Valid_acts.h5")
            << QStringLiteral("Test_acts.h5");
        QTest::newRow("no such files")
            << QStringList{} << QStringLiteral("x.train.txt") << QString() << QString();
        QTest::newRow("train inside a word")
            << QStringList{QStringLiteral("constdev.txt")} << QStringLiteral("constrain.txt")
            << QString() << QString();
    }
    void siblingNames()
    {
        QFETCH(QStringList, files);
        QFETCH(QString, train);
        QFETCH(QString, dev);
        QFETCH(QString, test);
        const QString dir =
            path(QStringLiteral("names/") + QString::fromUtf8(QTest::currentDataTag()));
        QVERIFY(QDir().mkpath(dir));
        for (const QString &f : files)
            touch(dir + QLatin1Char('/') + f);
        const QString t = dir + QLatin1Char('/') + train;
        QCOMPARE(siblingSplitFile(t, QStringLiteral("dev")),
                 dev.isEmpty() ? QString() : dir + QLatin1Char('/') + dev);
        QCOMPARE(siblingSplitFile(t, QStringLiteral("test")),
                 test.isEmpty() ? QString() : dir + QLatin1Char('/') + test);
    }

    // Typing the train files fills dev and test (only from files that exist); a dev field the
    // user typed is left alone.
    void dialogFillsDevAndTest()
    {
        MainWindow w;
        w.setInteractive(false);
        QSettings(path(QStringLiteral("settings.ini")), QSettings::IniFormat).clear();
        OpenDataDialog d(w.jobs());
        const QString kinds[] = {QStringLiteral("hdf5"), QStringLiteral("words.txt"),
                                 QStringLiteral("pos.txt")};
        d.field(1, 1)->setText(QStringLiteral("/my/own/dev.words.txt"));
        for (int r = 0; r < 3; ++r)
            d.field(0, r)->setText(demo(QStringLiteral("train"), kinds[r]));
        for (int r = 0; r < 3; ++r)
            QCOMPARE(d.field(2, r)->text(), demo(QStringLiteral("test"), kinds[r]));
        QCOMPARE(d.field(1, 0)->text(), demo(QStringLiteral("dev"), kinds[0]));
        QCOMPARE(d.field(1, 1)->text(), QStringLiteral("/my/own/dev.words.txt"));
        QCOMPARE(d.field(1, 2)->text(), demo(QStringLiteral("dev"), kinds[2]));
        // Another train name without siblings clears the automatic fills only.
        d.field(0, 1)->setText(path(QStringLiteral("elsewhere.train.words.txt")));
        QCOMPARE(d.field(2, 1)->text(), QString());
        QCOMPARE(d.field(1, 1)->text(), QStringLiteral("/my/own/dev.words.txt"));
    }

    // Dropping only the train files opens the dialog with dev and test filled from their names.
    void dropOfTrainFilesFillsDevAndTest()
    {
        MainWindow w;
        w.setInteractive(false);
        const QString kinds[] = {QStringLiteral("hdf5"), QStringLiteral("words.txt"),
                                 QStringLiteral("pos.txt")};
        w.openDroppedFiles({demo(QStringLiteral("train"), kinds[0]),
                            demo(QStringLiteral("train"), kinds[1]),
                            demo(QStringLiteral("train"), kinds[2])});
        OpenDataDialog *d = w.pendingDataDialog();
        QVERIFY(d);
        // (Which text file is tokens and which labels is the drop classifier's guess; the dev
        // and test fields follow whatever the train field holds.)
        QCOMPARE(d->field(1, 0)->text(), demo(QStringLiteral("dev"), kinds[0]));
        QCOMPARE(d->field(2, 0)->text(), demo(QStringLiteral("test"), kinds[0]));
        int textFields = 0;
        for (int r = 1; r < 3; ++r) {
            QString train = d->field(0, r)->text();
            if (train.isEmpty())
                continue;
            ++textFields;
            QCOMPARE(d->field(1, r)->text(),
                     train.replace(QStringLiteral(".train."), QStringLiteral(".dev.")));
        }
    }

    // The dialog's options reach the loaded data (layers, binarized labels, balance) and the
    // probe (--standardize), and the data set becomes a recent one.
    void optionsReachTheLoadedData()
    {
        QSettings(path(QStringLiteral("settings.ini")), QSettings::IniFormat).clear();
        MainWindow w;
        w.setInteractive(false);
        OpenDataDialog d(w.jobs());
        const QString kinds[] = {QStringLiteral("hdf5"), QStringLiteral("words.txt"),
                                 QStringLiteral("pos.txt")};
        for (int r = 0; r < 3; ++r)
            d.field(0, r)->setText(demo(QStringLiteral("train"), kinds[r]));
        d.layersField()->setText(QStringLiteral("4,0-1"));
        d.binarizeField()->setText(QStringLiteral("NN"));
        d.balanceBox()->setChecked(true);
        d.standardizeBox()->setChecked(true);
        const TaskInputs in = d.inputs();
        QCOMPARE(in.options.layers, (std::vector<int>{4, 0, 1}));
        QCOMPARE(in.options.binarizedTag, QStringLiteral("NN"));
        QVERIFY(in.options.balance);
        QCOMPARE(in.options.task, TaskType::Classification);
        QVERIFY(in.dev.isSet() && in.test.isSet());

        QVERIFY(w.loadFromDataDialog(d) >= 0);
        QVERIFY(w.waitForJobs(120000));
        QVERIFY2(w.task(), qPrintable(w.lastError()));
        QCOMPARE(w.task()->train->layerIds, (std::vector<int>{4, 0, 1}));
        QCOMPARE(w.task()->vocab.names.size(), 2);
        QVERIFY(w.task()->vocab.names.contains(QStringLiteral("NN")));
        QVERIFY(w.task()->vocab.names.contains(QStringLiteral("OTHER")));
        QVERIFY(w.session().dataOptions.balance);
        QCOMPARE(w.session().dataOptions.layers, (std::vector<int>{4, 0, 1}));
        QVERIFY(w.probeSettings()->options().standardize);
        QVERIFY(w.runAnalysisJob(QStringLiteral("probe")) >= 0);
        QVERIFY(w.waitForJobs(300000));
        QVERIFY(w.probe());
        QVERIFY(w.session().probeOptionsFor(QStringLiteral("probe")).standardize);

        const std::vector<TaskInputs> recent = OpenDataDialog::recentDataSets();
        QCOMPARE(int(recent.size()), 1);
        QCOMPARE(recent.front().train.activations, demo(QStringLiteral("train"), kinds[0]));
        QCOMPARE(recent.front().options.layers, (std::vector<int>{4, 0, 1}));
        OpenDataDialog again(w.jobs());
        QCOMPARE(again.recentChooser()->count(), 2);
        QVERIFY(again.recentChooser()->isEnabled());
    }

    // A load that fails keeps what was typed: the next dialog opens with it. An invalid layer
    // list is refused in the dialog with the reason.
    void pathsSurviveAnError()
    {
        QSettings(path(QStringLiteral("settings.ini")), QSettings::IniFormat).clear();
        MainWindow w;
        w.setInteractive(false);
        {
            OpenDataDialog d(w.jobs());
            d.field(0, 0)->setText(path(QStringLiteral("missing.train.hdf5")));
            d.field(0, 1)->setText(demo(QStringLiteral("train"), QStringLiteral("words.txt")));
            d.field(0, 2)->setText(demo(QStringLiteral("train"), QStringLiteral("pos.txt")));
            d.layersField()->setText(QStringLiteral("3-1"));
            d.accept();
            QCOMPARE(d.result(), int(QDialog::Rejected));
            QVERIFY2(d.validationError().contains(QStringLiteral("3-1")),
                     qPrintable(d.validationError()));
            d.layersField()->setText(QStringLiteral("2"));
            d.binarizeField()->setText(QStringLiteral("VBZ"));
            d.accept();
            QCOMPARE(d.result(), int(QDialog::Accepted));
            QVERIFY(w.loadFromDataDialog(d) >= 0);
            QVERIFY(w.waitForJobs(120000));
        }
        QVERIFY(!w.task());
        QVERIFY(w.lastError().contains(QStringLiteral("missing.train.hdf5")));
        OpenDataDialog reopened(w.jobs());
        QCOMPARE(reopened.field(0, 0)->text(), path(QStringLiteral("missing.train.hdf5")));
        QCOMPARE(reopened.field(0, 1)->text(),
                 demo(QStringLiteral("train"), QStringLiteral("words.txt")));
        QCOMPARE(reopened.layersField()->text(), QStringLiteral("2"));
        QCOMPARE(reopened.binarizeField()->text(), QStringLiteral("VBZ"));
        // Failed loads are not recent data sets.
        QVERIFY(OpenDataDialog::recentDataSets().empty());
        QVERIFY(!reopened.recentChooser()->isEnabled());
    }
};

QTEST_MAIN(TestOpenData)
#include "tst_opendata.moc"
