// The model in the loop in the desktop app (docs/live.md): Model › Attach model through the
// controller (session record, reload with an opened session, report line, mismatch message), the
// Try-a-sentence view (activations equal the loaded extraction, predictions, gold labels, strip,
// selection recolours without recomputing), stale results dropped when typing quickly, the event
// loop turning while a live computation runs, and top contexts in a text file.
#include "salient/model/attach.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/sentenceview.h"
#include "testutil.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace salient;
using namespace salient::ui;

namespace {

using test::kSanitized;
using test::readLines;

/// Processes events until @p done or @p ms pass.
template <typename F> bool spinUntil(F done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QTest::qWait(5);
    return done();
}

} // namespace

class TestLiveGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<JobStatus>();
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTestLive"));
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH); // the checker of untrusted files
    }
    void attachAndTrySentence();
    void staleResultsDropped();
    void eventLoopTurnsWhileComputing();

private:
    /// A window with the PTB POS dev split loaded as train (stories260K activations).
    bool loadPtb(MainWindow &w)
    {
        const QString d = test::sharedDir() + QStringLiteral("/data/");
        TaskInputs in;
        in.train = {d + QStringLiteral("stories260K.ptb.dev.hdf5"),
                    d + QStringLiteral("ptb_pos.dev.words.txt"),
                    d + QStringLiteral("ptb_pos.dev.labels.txt")};
        return w.loadFiles(in) >= 0 && w.waitForJobs(120000) && w.task();
    }
};

void TestLiveGui::attachAndTrySentence()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    SALIENT_REQUIRE_SHARED(words, "data/ptb_pos.dev.words.txt");
    SALIENT_REQUIRE_SHARED(labels, "data/ptb_pos.dev.labels.txt");
    MainWindow w;
    w.setInteractive(false);
    QCOMPARE(w.attachModel(bin, tok), -1); // no data yet
    QVERIFY(loadPtb(w));
    SentenceView *view = w.sentenceView();
    QVERIFY(view->status()->text().contains(QStringLiteral("No model attached")));

    // A model of another shape: refused with the reason, nothing attached.
    const QString bert = test::sharedDir() + QStringLiteral("/spec/golden/models/tiny-bert");
    if (QFileInfo::exists(bert)) {
        QVERIFY(w.attachModel(bert) > 0 && w.waitForJobs(60000));
        QVERIFY2(w.lastError().contains(QStringLiteral("do not come from this model")),
                 qPrintable(w.lastError()));
        QVERIFY(!w.controller()->attachedModel());
    }
    QSignalSpy attached(w.controller(), &SessionController::modelAttached);
    QVERIFY(w.attachModel(bin, tok) > 0 && w.waitForJobs(60000));
    QCOMPARE(attached.count(), 1);
    QVERIFY(w.controller()->attachedModel());
    QCOMPARE(w.session().model.fingerprint, fileSha256(bin));

    // A quick probe, so predictions and the strip appear.
    ProbeOptions po = w.probeSettings()->options();
    po.epochs = 2;
    po.batchSize = 128;
    w.probeSettings()->setOptions(po);
    const int probeJob = w.runAnalysisJob(QStringLiteral("probe"));
    QVERIFY2(probeJob > 0, qPrintable(w.lastError()));
    // Not waitForJobs(): the new probe re-runs the typed sentence after the debounce, which may
    // start a live job right as the probe's job ends.
    QVERIFY2(spinUntil([&] { return w.probe() != nullptr; }, 120000), qPrintable(w.lastError()));

    // Typing a corpus sentence: the live activations equal the loaded ones (extraction
    // tolerance), the gold labels are those of the labels file, predictions are shown.
    QSignalSpy shown(view, &SentenceView::resultShown);
    const QStringList lines = readLines(words, 2);
    view->input()->setText(lines[1]);
    QVERIFY(spinUntil([&] { return !view->pending() && shown.count() > 0; }, 30000));
    const model::LiveResult *r = view->result();
    QVERIFY(r);
    QCOMPARE(r->goldSplit, QStringLiteral("train"));
    QCOMPARE(r->goldRecord, Index(1));
    QCOMPARE(r->gold, readLines(labels, 2)[1].split(QLatin1Char(' ')));
    const Dataset &ds = *w.task()->train;
    const Index first = Index(lines[0].split(QLatin1Char(' ')).size());
    const Index n = Index(lines[1].split(QLatin1Char(' ')).size());
    for (Index i = 0; i < n; ++i)
        for (Index c = 0; c < ds.X.cols(); ++c)
            QVERIFY(std::abs(r->columns(i, c) - ds.X(first + i, c))
                    <= 1e-4 + 1e-4 * std::abs(ds.X(first + i, c)));
    QCOMPARE(view->words()->sentenceCount(), 1);
    const WordSentence &s = view->words()->data().sentences.front();
    QCOMPARE(s.tokens, lines[1].split(QLatin1Char(' ')));
    QCOMPARE(s.labels.size(), s.tokens.size());
    QVERIFY(s.labels.front().contains(QStringLiteral("gold ")));
    QVERIFY(s.labels.front().contains(QLatin1Char('%')));
    QCOMPARE(view->strip()->rows(), view->topK()->value());
    QVERIFY(view->status()->text().contains(QStringLiteral("in the corpus: train line 2")));
    // The selected neuron colours the tokens (the per-word view's scheme); selecting another
    // recolours without a new computation.
    const int computed = view->computedCount();
    const int column = w.probe()->ordering[3];
    w.selectColumn(column);
    QCOMPARE(view->computedCount(), computed);
    const WordSentence &again = view->words()->data().sentences.front();
    for (int i = 0; i < again.activations.size(); ++i)
        QCOMPARE(again.activations[i], r->columns(i, column));
    int coloured = 0;
    for (int i = 0; i < again.activations.size(); ++i)
        coloured += view->words()->tokenColour(0, i).isValid() ? 1 : 0;
    QVERIFY(coloured > 0);
    // The per-word view's colour scheme applies to the sentence and the strip.
    auto *scheme = w.findChild<QComboBox *>(QStringLiteral("wordsScheme"));
    QVERIFY(scheme);
    scheme->setCurrentIndex(1);
    QCOMPARE(view->words()->colourScheme(), WordActivationView::ColourScheme::Diverging);
    double limit = 0; // the strip's scale: max |a| over all its cells
    for (int c : r->topColumns)
        limit = std::max(limit, double(r->columns.col(c).cwiseAbs().maxCoeff()));
    for (int row = 0; row < 3; ++row)
        QCOMPARE(view->strip()->cellColour(row, 0),
                 WordActivationView::activationColour(r->columns(0, r->topColumns[size_t(row)]),
                                                      limit,
                                                      WordActivationView::ColourScheme::Diverging));
    scheme->setCurrentIndex(0);
    // Raw-text mode: the model's tokens, no corpus lookup; the UI says which mode it is.
    view->modeChooser()->setCurrentIndex(1);
    QVERIFY(
        spinUntil([&] { return !view->pending() && view->result()->goldSplit.isEmpty(); }, 30000));
    QVERIFY(view->result()->sentence.words.size() > Index(n));
    QVERIFY(view->findChild<QLabel *>(QStringLiteral("liveModeNote"))
                ->text()
                .contains(QStringLiteral("model token")));

    // Top contexts of the selected neuron in a text file.
    QTemporaryDir dir;
    const QString txt = dir.filePath(QStringLiteral("t.txt"));
    {
        QFile f(txt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(readLines(words, 6).join(QLatin1Char('\n')).toUtf8());
    }
    QSignalSpy contexts(view, &SentenceView::contextsShown);
    QVERIFY(view->runTopContexts(txt, 3) > 0);
    QVERIFY(spinUntil([&] { return contexts.count() == 1; }, 60000));
    QCOMPARE(view->contextsView()->sentenceCount(), 3);
    QCOMPARE(view->topContexts()->neurons.front().neuron, w.selectedNeuron());

    // Saved and reopened: the model is recorded, reloaded, and named in the report.
    const QString saved = dir.filePath(QStringLiteral("s.json"));
    QVERIFY(w.saveSessionAs(saved));
    QVERIFY(loadSession(saved).model.isSet());
    MainWindow w2;
    w2.setInteractive(false);
    QSignalSpy reloaded(w2.controller(), &SessionController::modelAttached);
    QVERIFY(w2.openSession(saved) >= 0);
    QVERIFY(spinUntil([&] { return reloaded.count() > 0; }, 120000));
    QVERIFY(w2.controller()->attachedModel());
    const QString report = dir.filePath(QStringLiteral("report"));
    QVERIFY(w2.exportReport(report));
    QFile html(report + QStringLiteral("/index.html"));
    QVERIFY(html.open(QIODevice::ReadOnly));
    const QByteArray page = html.readAll();
    QVERIFY(page.contains("Model: llama2.c stories260K.bin"));
}

void TestLiveGui::staleResultsDropped()
{
    SALIENT_REQUIRE_SHARED(bin, "data/model/stories260K.bin");
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(loadPtb(w));
    QVERIFY(w.attachModel(bin, tok) > 0 && w.waitForJobs(60000));
    SentenceView *view = w.sentenceView();
    QVERIFY(spinUntil([&] { return !view->pending(); }, 30000));
    // Three requests in a row (typing faster than results arrive): only the last is shown.
    const int computed = view->computedCount(), stale = view->staleDropped();
    const quint64 generation = view->generation();
    for (const char *text : {"The cat", "The cat sat", "The cat sat on the mat ."}) {
        view->input()->blockSignals(true); // no debounce: each one a request at once
        view->input()->setText(QString::fromLatin1(text));
        view->input()->blockSignals(false);
        QVERIFY(view->refreshNow() > 0);
    }
    QCOMPARE(view->generation(), generation + 3);
    QVERIFY(
        spinUntil([&] { return !view->pending() && view->staleDropped() == stale + 2; }, 30000));
    QCOMPARE(view->computedCount(), computed + 1);
    QCOMPARE(view->result()->sentence.line, QStringLiteral("The cat sat on the mat ."));
    // Typing: keystrokes within the debounce interval make one request.
    view->input()->clear();
    QVERIFY(spinUntil([&] { return !view->pending(); }, 30000));
    const int before = view->computedCount();
    view->setDebounceMs(300);
    QTest::keyClicks(view->input(), QStringLiteral("Once upon a time"));
    QVERIFY(spinUntil([&] { return view->computedCount() > before && !view->pending(); }, 30000));
    QTest::qWait(400);
    QCOMPARE(view->computedCount(), before + 1);
    QCOMPARE(view->result()->sentence.line, QStringLiteral("Once upon a time"));
}

void TestLiveGui::eventLoopTurnsWhileComputing()
{
    SALIENT_REQUIRE_SHARED(tok, "data/model/tok512.bin");
    MainWindow w;
    w.setInteractive(false);
    QVERIFY(loadPtb(w));
    // A slow model of the loaded shape (6 layers × 64; a very wide feed-forward layer), so one
    // sentence takes long enough to watch the event loop meanwhile.
    auto m = std::make_shared<model::AttachedModel>();
    m->model = model::makeRandomTransformer(model::Family::Llama, 5, 64, 8, 4, 16384, 512, 2048, 3);
    m->tokenizer = model::loadLlama2cTokenizer(tok, 2048);
    m->record.path = QStringLiteral("random");
    m->record.kind = QStringLiteral("llama");
    m->record.layers = 6;
    m->record.dims = 64;
    m->record.lastLayer = QStringLiteral("raw");
    m->record.aggregation = QStringLiteral("last");
    w.controller()->useModel(m);
    SentenceView *view = w.sentenceView();
    QVERIFY(spinUntil([&] { return !view->pending(); }, 60000));
    QString text;
    for (int i = 0; i < (kSanitized ? 3 : 10); ++i) // ASan: ~5× slower, fewer words
        text += QStringLiteral("the little dog ran to the park and ");
    view->input()->blockSignals(true);
    view->input()->setText(text);
    view->input()->blockSignals(false);
    QElapsedTimer clock;
    qint64 last = 0, maxGap = 0;
    int ticks = 0;
    QTimer tick;
    tick.setInterval(10);
    connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        maxGap = std::max(maxGap, now - last);
        last = now;
        ++ticks;
    });
    clock.start();
    tick.start();
    QVERIFY(view->refreshNow() > 0);
    QVERIFY(spinUntil([&] { return !view->pending(); }, 120000));
    tick.stop();
    const double seconds = view->result()->seconds;
    qInfo("live computation %.3f s; event loop: %d ticks, longest gap %lld ms", seconds, ticks,
          static_cast<long long>(maxGap));
    if (seconds < 0.3)
        QSKIP("SKIPPED: the computation took under 0.3 s; too fast to observe the event loop");
    // Computed on the GUI thread, the longest gap would be the whole computation.
    QVERIFY2(double(maxGap) / 1000.0 < 0.75 * seconds, qPrintable(QString::number(maxGap)));
    QVERIFY(ticks >= 5);
}

QTEST_MAIN(TestLiveGui)
#include "tst_live_gui.moc"
