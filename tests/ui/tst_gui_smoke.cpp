// Starts the real `salient` binary on Qt's offscreen platform with the built-in demo and checks
// that it renders its main window to a PNG and exits 0.
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestGuiSmoke : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // `salient --help` and `--version` print and exit 0 on a machine without a display (the xcb
    // platform and no DISPLAY: creating the GUI application there aborts).
    void helpAndVersionWithoutDisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        const std::pair<QString, QString> cases[] = {
            {QStringLiteral("--help"), QStringLiteral("--export-report")},
            {QStringLiteral("-h"), QStringLiteral("Usage:")},
            {QStringLiteral("--version"), QStringLiteral("Salient ")}};
        for (const auto &[arg, expected] : cases) {
            QProcess proc;
            proc.setProcessEnvironment(env);
            proc.start(QStringLiteral(SALIENT_GUI), {arg});
            QVERIFY(proc.waitForFinished(60000));
            QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
            QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
            QVERIFY2(proc.readAllStandardOutput().contains(expected.toUtf8()), qPrintable(arg));
        }
    }

    void startsOnDemoAndRenders()
    {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("main.png"));
        QProcess proc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        proc.setProcessEnvironment(env);
        proc.start(QStringLiteral(SALIENT_GUI), {QStringLiteral("--screenshot"), png});
        QVERIFY(proc.waitForFinished(120000));
        QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
        QCOMPARE(proc.exitCode(), 0);
        const QImage img(png);
        QVERIFY(!img.isNull());
        QVERIFY(img.width() >= 800 && img.height() >= 500);
        // Not blank: the window shows text and a plot, so many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 7)
            for (int x = 0; x < img.width(); x += 7)
                colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
    }

    // Issue #4: `--export-report DIR` from the demo (runs the default analysis) and from the
    // session that report contains; both exit 0 with a complete folder.
    void exportReportFromCommandLine()
    {
        QTemporaryDir dir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const QString first = dir.filePath(QStringLiteral("demo-report"));
        QProcess proc;
        proc.setProcessEnvironment(env);
        proc.start(QStringLiteral(SALIENT_GUI),
                   {QStringLiteral("--demo"), QStringLiteral("--export-report"), first});
        QVERIFY(proc.waitForFinished(280000));
        QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
        for (const char *f :
             {"index.html", "params.json", "session.json", "figures/heatmap.png",
              "figures/curves.svg", "figures/layers.pdf", "figures/training.png",
              "tables/salience_matrix.csv", "tables/curves.json", "results/probe.ranking.csv",
              "results/probe.json", "tables/inspector_classes.csv"})
            QVERIFY2(QFile::exists(first + QLatin1Char('/') + QLatin1String(f)), f);
        QVERIFY(!QImage(first + QStringLiteral("/figures/curves.png")).isNull());

        const QString second = dir.filePath(QStringLiteral("session-report"));
        QProcess again;
        again.setProcessEnvironment(env);
        again.start(QStringLiteral(SALIENT_GUI), {first + QStringLiteral("/session.json"),
                                                  QStringLiteral("--export-report"), second});
        QVERIFY(again.waitForFinished(120000));
        QVERIFY2(again.exitCode() == 0, again.readAllStandardError().constData());
        QVERIFY(QFile::exists(second + QStringLiteral("/figures/curves.png")));
        QVERIFY(QFile::exists(second + QStringLiteral("/tables/salience_matrix.csv")));
    }

    void versionFlag()
    {
        QProcess proc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        proc.setProcessEnvironment(env);
        proc.start(QStringLiteral(SALIENT_GUI), {QStringLiteral("--version")});
        QVERIFY(proc.waitForFinished(60000));
        QVERIFY(proc.readAllStandardOutput().contains(SALIENT_VERSION));
    }
};

QTEST_GUILESS_MAIN(TestGuiSmoke)
#include "tst_gui_smoke.moc"
