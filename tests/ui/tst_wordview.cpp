// Long on purpose: one test class for the word view and the inspector: colours, layout, export.
// Offscreen tests of the per-word activation view and the neuron inspector (DESIGN.md §4, views
// 6 and 7; spec/NEUROX.md §13–§14).
#include "salient/analyses/corpusanalysis.h"
#include "salient/probe/probe.h"
#include "salient/ui/models/neuronclassmodel.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/wordactivationview.h"
#include "salient/util/error.h"

#include <QDir>
#include <QFile>
#include <QFontMetricsF>
#include <QHeaderView>
#include <QImage>
#include <QListWidget>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using salient::ui::NeuronInspector;
using salient::ui::WordActivationData;
using salient::ui::WordActivationView;
using salient::ui::WordSentence;

namespace {

WordSentence sentence(const QStringList &tokens, const QVector<float> &acts,
                      const QStringList &labels = {}, const QVector<int> &rows = {},
                      qint64 record = -1)
{
    WordSentence s;
    s.tokens = tokens;
    s.activations = acts;
    s.labels = labels;
    s.rows = rows;
    s.record = record;
    return s;
}

/// Hue-ful pixels (text is grey/black, the background white): counts coloured pixels.
int colouredPixels(const QImage &image, const QRect &rect)
{
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            if (QColor(image.pixel(x, y)).hsvSaturation() > 40)
                ++n;
    return n;
}

/// Three sentences; dataset column 1 fires on "bank" only, column 0 is noise.
salient::Dataset bankDataset(salient::LabelVocabulary &vocab)
{
    const QList<QStringList> tokens = {
        {QStringLiteral("the"), QStringLiteral("bank"), QStringLiteral("closed")},
        {QStringLiteral("a"), QStringLiteral("bank"), QStringLiteral("opened")},
        {QStringLiteral("the"), QStringLiteral("river"), QStringLiteral("flows")}};
    const QList<QStringList> labels = {
        {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("VBD")},
        {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("VBD")},
        {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("VBZ")}};
    vocab.names = {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("VBD"),
                   QStringLiteral("VBZ")};
    vocab.trainCounts = {3, 3, 2, 1};

    salient::Dataset ds;
    ds.name = QStringLiteral("train");
    ds.layers = 1;
    ds.dims = 2;
    ds.layerIds = {4};
    ds.X.resize(9, 2);
    ds.y.resize(9);
    int row = 0;
    for (int s = 0; s < tokens.size(); ++s) {
        ds.sentences.push_back(s);
        for (int w = 0; w < tokens[s].size(); ++w, ++row) {
            const bool bank = tokens[s][w] == QStringLiteral("bank");
            ds.X(row, 0) = float(std::sin(row * 1.7));
            ds.X(row, 1) = bank ? 4.0f : 0.1f * float(w) - 0.05f;
            ds.y[row] = vocab.indexOf(labels[s][w]);
            ds.rowSentence.push_back(s);
            ds.rowWord.push_back(w);
            ds.rowToken.push_back(tokens[s][w]);
        }
    }
    return ds;
}

} // namespace

class TestWordView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void coloursFollowActivations();
    void allZeroSentenceHasNoColour();
    void normalisation();
    void divergingScheme();
    void topTokensFilter();
    void markupShownLiterally();
    void rightToLeft();
    void wrapsToWidth();
    void search();
    void sortByActivation();
    void clickSelectsTokens();
    void inconsistentDataIsRepaired();
    void exports();
    void helpersFromDataset();
    void inspectorShowsProfile();

private:
    void showView(WordActivationView &view, int width = 600, int height = 400);
    QString m_shots; // SALIENT_SCREENSHOT_DIR: where to write screenshots (not by default)
};

void TestWordView::initTestCase()
{
    m_shots = qEnvironmentVariable("SALIENT_SCREENSHOT_DIR");
}

void TestWordView::showView(WordActivationView &view, int width, int height)
{
    view.resize(width, height);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
}

void TestWordView::coloursFollowActivations()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(
        sentence({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                  QStringLiteral("d"), QStringLiteral("e")},
                 {0.5f, -0.25f, 1.0f, 0.0f, -1.0f}));
    view.setData(data);
    showView(view);

    const QColor blue(0x00, 0xaa, 0xd4), red(0xd3, 0x5f, 0x5f);
    const QColor top = view.tokenColour(0, 2);
    QVERIFY(top.isValid());
    QCOMPARE(top.rgb(), blue.rgb());
    QCOMPARE(top.alphaF(), 1.0f);
    // Opacity o = |a| / max|a|, composited twice: alpha 1 − (1 − o)².
    const QColor half = view.tokenColour(0, 0);
    QCOMPARE(half.rgb(), blue.rgb());
    QVERIFY(std::abs(half.alphaF() - 0.75) < 0.01);
    QVERIFY(half.alphaF() < top.alphaF());
    const QColor neg = view.tokenColour(0, 1);
    QCOMPARE(neg.rgb(), red.rgb());
    QVERIFY(std::abs(neg.alphaF() - (1.0 - 0.75 * 0.75)) < 0.01);
    QCOMPARE(view.tokenColour(0, 4).rgb(), red.rgb());
    QVERIFY(!view.tokenColour(0, 3).isValid()); // zero → no colour
    QVERIFY(!view.tokenColour(0, 99).isValid());
    QVERIFY(!view.tokenColour(7, 0).isValid());

    // What is painted: the top token's box is blue, the zero token's box is uncoloured.
    const QImage shot = view.viewport()->grab().toImage();
    const QRect r = view.tokenRect(0, 2);
    const QColor px(shot.pixel(r.left() + 1, r.top() + 1));
    QVERIFY2(std::abs(px.red() - blue.red()) < 8 && std::abs(px.blue() - blue.blue()) < 8,
             qPrintable(px.name()));
    QCOMPARE(colouredPixels(shot, view.tokenRect(0, 3)), 0);
}

void TestWordView::allZeroSentenceHasNoColour()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(
        sentence({QStringLiteral("zero"), QStringLiteral("only")}, {0.0f, 0.0f}));
    data.sentences.push_back(sentence({QStringLiteral("nan")}, {std::nanf("")}));
    data.sentences.push_back(sentence({}, {}));
    view.setData(data);
    showView(view);
    QCOMPARE(view.colourLimit(0), 0.0);
    QVERIFY(!view.tokenColour(0, 0).isValid());
    QVERIFY(!view.tokenColour(0, 1).isValid());
    QVERIFY(!view.tokenColour(1, 0).isValid());
    view.setNormalisation(WordActivationView::Normalisation::Global);
    view.setColourScheme(WordActivationView::ColourScheme::Diverging);
    QVERIFY(!view.tokenColour(0, 0).isValid());
    const QImage shot = view.viewport()->grab().toImage();
    QCOMPARE(colouredPixels(shot, view.tokenRect(0, 0).united(view.tokenRect(0, 1))), 0);
    QVERIFY(view.exportFigure(QDir::temp().filePath(QStringLiteral("salient-zero.png"))));
    QFile::remove(QDir::temp().filePath(QStringLiteral("salient-zero.png")));
}

void TestWordView::normalisation()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(sentence({QStringLiteral("big"), QStringLiteral("x")}, {2.0f, 0.0f}));
    data.sentences.push_back(
        sentence({QStringLiteral("small"), QStringLiteral("y")}, {1.0f, -0.5f}));
    view.setData(data);
    showView(view);
    // Per sentence (NeuroX): each sentence's maximum is fully opaque.
    QCOMPARE(view.normalisation(), WordActivationView::Normalisation::PerSentence);
    QCOMPARE(view.colourLimit(1), 1.0);
    QCOMPARE(view.tokenColour(1, 0).alphaF(), 1.0f);
    QVERIFY(std::abs(view.tokenColour(1, 1).alphaF() - 0.75) < 0.01);
    // Over all shown sentences: limit 2, so 1.0 → o = 0.5 → alpha 0.75.
    view.setNormalisation(WordActivationView::Normalisation::Global);
    QCOMPARE(view.colourLimit(1), 2.0);
    QCOMPARE(view.tokenColour(0, 0).alphaF(), 1.0f);
    QVERIFY(std::abs(view.tokenColour(1, 0).alphaF() - 0.75) < 0.01);
    QVERIFY(std::abs(view.tokenColour(1, 1).alphaF() - (1 - 0.75 * 0.75)) < 0.01);
}

void TestWordView::divergingScheme()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(sentence(
        {QStringLiteral("p"), QStringLiteral("n"), QStringLiteral("h"), QStringLiteral("z")},
        {1.0f, -1.0f, 0.2f, 0.0f}));
    view.setData(data);
    view.setColourScheme(WordActivationView::ColourScheme::Diverging);
    showView(view);
    const QColor pos = view.tokenColour(0, 0), neg = view.tokenColour(0, 1);
    const QColor weak = view.tokenColour(0, 2);
    QCOMPARE(pos.alpha(), 255);
    QVERIFY(pos.blue() > pos.red());             // blue end
    QVERIFY(neg.red() > neg.blue());             // orange end
    QVERIFY(weak.lightness() > pos.lightness()); // towards white at 0
    QVERIFY(!view.tokenColour(0, 3).isValid());
}

void TestWordView::topTokensFilter()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(sentence(
        {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, {1.0f, 0.8f, -0.9f}));
    view.setData(data);
    QVERIFY(view.tokenColour(0, 1).isValid());
    view.setTopTokensFilter(true);
    QVERIFY(view.tokenColour(0, 0).isValid());
    QVERIFY(!view.tokenColour(0, 1).isValid()); // |a| <= 0.8 · max|a|
    QVERIFY(view.tokenColour(0, 2).isValid());
}

void TestWordView::markupShownLiterally()
{
    WordActivationView view;
    WordActivationData data;
    const QString markup = QStringLiteral("<b>x</b>");
    data.sentences.push_back(
        sentence({markup, QStringLiteral("x"), QStringLiteral("&amp;")}, {1.0f, 0.5f, 0.2f}));
    view.setData(data);
    showView(view);
    const QFontMetricsF fm(view.tokenFont());
    const double pad = 2 * WordActivationView::tokenPadding();
    QVERIFY2(std::abs(view.tokenRect(0, 0).width() - (fm.horizontalAdvance(markup) + pad)) <= 1.0,
             qPrintable(QString::number(view.tokenRect(0, 0).width())));
    QVERIFY(std::abs(view.tokenRect(0, 2).width()
                     - (fm.horizontalAdvance(QStringLiteral("&amp;")) + pad))
            <= 1.0);
    QVERIFY(view.tokenRect(0, 0).width()
            > view.tokenRect(0, 1).width() + fm.horizontalAdvance(QStringLiteral("<b></b>")) - 1);
}

void TestWordView::rightToLeft()
{
    WordActivationView view;
    WordActivationData data;
    // Hebrew "shalom olam", Arabic "marhaban bialalam", and an English sentence.
    data.sentences.push_back(sentence(
        {QStringLiteral("\u05e9\u05dc\u05d5\u05dd"), QStringLiteral("\u05e2\u05d5\u05dc\u05dd")},
        {1.0f, -1.0f}));
    data.sentences.push_back(sentence({QStringLiteral("\u0645\u0631\u062d\u0628\u0627"),
                                       QStringLiteral("\u0628\u0627\u0644\u0639\u0627\u0644\u0645"),
                                       QStringLiteral("42")},
                                      {0.5f, 1.0f, 0.1f}));
    data.sentences.push_back(
        sentence({QStringLiteral("hello"), QStringLiteral("world")}, {1.0f, 0.5f}));
    view.setData(data);
    showView(view);
    for (int s = 0; s < 2; ++s) {
        const QRect first = view.tokenRect(s, 0), second = view.tokenRect(s, 1);
        QCOMPARE(first.top(), second.top());
        QVERIFY2(first.left() > second.right(), qPrintable(QStringLiteral("sentence %1").arg(s)));
        // Right-aligned: the first token ends near the right edge.
        QVERIFY(first.right() > view.viewport()->width() - 30);
    }
    QVERIFY(view.tokenRect(2, 0).right() < view.tokenRect(2, 1).left());
    QVERIFY(view.tokenRect(2, 0).left() < 30);
    // An explicit direction overrides the automatic one.
    data.sentences[2].direction = Qt::RightToLeft;
    view.setData(data);
    QVERIFY(view.tokenRect(2, 0).left() > view.tokenRect(2, 1).right());
    if (!m_shots.isEmpty()) {
        view.setShowLabels(true);
        view.viewport()->grab().save(m_shots + QStringLiteral("/wordview-rtl.png"));
    }
}

void TestWordView::wrapsToWidth()
{
    WordActivationView view;
    WordActivationData data;
    QStringList tokens;
    QVector<float> acts;
    for (int i = 0; i < 60; ++i) {
        tokens << QStringLiteral("token%1").arg(i);
        acts << float(std::sin(i));
    }
    data.sentences.push_back(sentence(tokens, acts));
    view.setData(data);
    showView(view, 300, 300);
    const int width = view.viewport()->width();
    QVERIFY(view.tokenRect(0, 59).top() > view.tokenRect(0, 0).top());
    for (int i = 0; i < tokens.size(); ++i) {
        const QRect r = view.tokenRect(0, i);
        QVERIFY(r.left() >= 0);
        QVERIFY2(r.right() < width, qPrintable(QString::number(i)));
    }
    const int lines59 = view.tokenRect(0, 59).top();
    view.resize(600, 300);
    QCoreApplication::processEvents();
    QVERIFY(view.tokenRect(0, 59).top() < lines59); // wider → fewer lines
    QVERIFY(view.documentHeight() > 0);
}

void TestWordView::search()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(sentence(
        {QStringLiteral("The"), QStringLiteral("bank"), QStringLiteral("banks")},
        {0.1f, 1.0f, 0.5f}, {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("NNS")}));
    data.sentences.push_back(sentence({QStringLiteral("the"), QStringLiteral("river")},
                                      {0.2f, 0.3f}, {QStringLiteral("DT"), QStringLiteral("NN")}));
    view.setData(data);
    view.setShowLabels(true);
    showView(view);

    QCOMPARE(view.search(QStringLiteral("bank")), 2);
    WordActivationView::SearchOptions whole;
    whole.wholeToken = true;
    QCOMPARE(view.search(QStringLiteral("bank"), whole), 1);
    QCOMPARE(view.match(0), qMakePair(0, 1));
    // Words, case-insensitive by default, and whole-token labels.
    QCOMPARE(view.search(QStringLiteral("the"), whole), 2);
    whole.caseSensitivity = Qt::CaseSensitive;
    QCOMPARE(view.search(QStringLiteral("the"), whole), 1);
    WordActivationView::SearchOptions labels;
    labels.words = false;
    labels.wholeToken = true;
    QCOMPARE(view.search(QStringLiteral("NN"), labels), 2);
    QCOMPARE(view.match(1), qMakePair(1, 1));
    labels.wholeToken = false;
    QCOMPARE(view.search(QStringLiteral("NN"), labels), 3);
    // Next / previous wrap around.
    QSignalSpy spy(&view, &WordActivationView::currentMatchChanged);
    QCOMPARE(view.currentMatch(), 0);
    QVERIFY(view.nextMatch());
    QCOMPARE(view.currentMatch(), 1);
    QVERIFY(view.nextMatch());
    QVERIFY(view.nextMatch());
    QCOMPARE(view.currentMatch(), 0);
    QVERIFY(view.previousMatch());
    QCOMPARE(view.currentMatch(), 2);
    QCOMPARE(spy.count(), 4);
    QCOMPARE(view.search(QStringLiteral("nothing")), 0);
    QCOMPARE(view.currentMatch(), -1);
    QVERIFY(!view.nextMatch());
    QCOMPARE(view.search(QString()), 0);
}

void TestWordView::sortByActivation()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(sentence({QStringLiteral("low")}, {0.2f}));
    data.sentences.push_back(sentence({QStringLiteral("none")}, {std::nanf("")}));
    data.sentences.push_back(
        sentence({QStringLiteral("high"), QStringLiteral("neg")}, {3.0f, -9.0f}));
    data.sentences.push_back(sentence({QStringLiteral("mid")}, {1.0f}));
    view.setData(data);
    showView(view);
    QCOMPARE(view.displayOrder(), (QVector<int>{0, 1, 2, 3}));
    view.setSortByActivation(true);
    // Max activation (not max |a|), descending; no finite activation goes last.
    QCOMPARE(view.displayOrder(), (QVector<int>{2, 3, 0, 1}));
    QVERIFY(view.tokenRect(2, 0).top() < view.tokenRect(3, 0).top());
    QVERIFY(view.tokenRect(3, 0).top() < view.tokenRect(0, 0).top());
    QVERIFY(view.tokenRect(0, 0).top() < view.tokenRect(1, 0).top());
    // Search results follow the display order.
    QCOMPARE(view.search(QStringLiteral("o")), 2);
    QCOMPARE(view.match(0).first, 0);
    QCOMPARE(view.match(1).first, 1);
    view.setSortByActivation(false);
    QCOMPARE(view.displayOrder(), (QVector<int>{0, 1, 2, 3}));
}

void TestWordView::clickSelectsTokens()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(
        sentence({QStringLiteral("a"), QStringLiteral("b")}, {1.0f, 0.5f}, {}, {10, 11}));
    data.sentences.push_back(
        sentence({QStringLiteral("c"), QStringLiteral("d")}, {0.1f, 0.2f}, {}, {20, -1}));
    view.setData(data);
    showView(view);
    QSignalSpy spy(&view, &WordActivationView::tokensSelected);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.tokenRect(0, 1).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).value<QVector<int>>(), (QVector<int>{11}));
    // Shift-click: a range across sentences; the token without a row is left out.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ShiftModifier,
                      view.tokenRect(1, 1).center());
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.last().at(0).value<QVector<int>>(), (QVector<int>{11, 20}));
    QCOMPARE(view.selectedTokens().size(), 3);
    // Ctrl-click toggles one token.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ControlModifier,
                      view.tokenRect(0, 0).center());
    QCOMPARE(spy.last().at(0).value<QVector<int>>(), (QVector<int>{11, 20, 10}));
    if (!m_shots.isEmpty())
        view.viewport()->grab().save(m_shots + QStringLiteral("/wordview-selection.png"));
    // A click on empty space clears.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {},
                      QPoint(view.viewport()->width() / 2, view.viewport()->height() - 5));
    QCOMPARE(spy.last().at(0).value<QVector<int>>(), QVector<int>());
}

void TestWordView::inconsistentDataIsRepaired()
{
    WordActivationView view;
    WordActivationData data;
    data.sentences.push_back(
        sentence({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}, {1.0f, 0.5f},
                 {QStringLiteral("X")}, {1, 2, 3, 4}));
    view.setData(data);
    view.setShowLabels(true);
    showView(view);
    QCOMPARE(view.data().sentences[0].tokens.size(), 2);
    QCOMPARE(view.data().sentences[0].labels.size(), 2);
    QCOMPARE(view.data().sentences[0].rows.size(), 2);
    QVERIFY(view.tokenRect(0, 2).isNull());
    QCOMPARE(view.search(QStringLiteral("X")), 1);
}

void TestWordView::exports()
{
    WordActivationView view;
    WordActivationData data;
    data.title = QStringLiteral("Layer 3 \u00b7 neuron 17");
    data.sentences.push_back(sentence(
        {QStringLiteral("The"), QStringLiteral("<b>bank</b>"), QStringLiteral("closed"),
         QStringLiteral(".")},
        {0.1f, 2.0f, -1.0f, 0.0f},
        {QStringLiteral("DT"), QStringLiteral("NN"), QStringLiteral("VBD"), QStringLiteral(".")},
        {0, 1, 2, 3}, 0));
    data.sentences.push_back(sentence(
        {QStringLiteral("\u05e9\u05dc\u05d5\u05dd"), QStringLiteral("\u05e2\u05d5\u05dc\u05dd")},
        {-0.5f, 0.7f}, {}, {}, 1));
    view.setData(data);
    view.setShowLabels(true);
    showView(view);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    WordActivationView::ExportOptions opt;
    opt.width = 500;
    opt.scale = 2;
    QString error;
    const QString png = dir.filePath(QStringLiteral("words.png"));
    QVERIFY2(view.exportFigure(png, opt, &error), qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 1000);
    QVERIFY(colouredPixels(image, image.rect()) > 100); // token colours and legend drawn
    int dark = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            dark += qGray(image.pixel(x, y)) < 80;
    QVERIFY(dark > 50); // text drawn
    QVERIFY(std::abs(image.dotsPerMeterX() - 192 / 0.0254) < 2);

    const QString svg = dir.filePath(QStringLiteral("words.SVG"));
    QVERIFY2(view.exportFigure(svg, opt, &error), qPrintable(error));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("&lt;b&gt;bank&lt;/b&gt;")); // the token, literally

    view.setColourScheme(WordActivationView::ColourScheme::Diverging);
    const QString pdf = dir.filePath(QStringLiteral("words.pdf"));
    QVERIFY2(view.exportFigure(pdf, opt, &error), qPrintable(error));
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    QCOMPARE(pdfFile.read(4), QByteArray("%PDF"));

    // Failures: unknown suffix, bad options, unwritable place; nothing left behind.
    QVERIFY(!view.exportFigure(dir.filePath(QStringLiteral("words.gif")), opt, &error));
    QVERIFY(error.contains(QStringLiteral("gif")));
    WordActivationView::ExportOptions bad = opt;
    bad.scale = 0;
    QVERIFY(!view.exportFigure(dir.filePath(QStringLiteral("bad.png")), bad, &error));
    QVERIFY(!view.exportFigure(dir.filePath(QStringLiteral("no/such/dir/x.png")), opt, &error));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("bad.png"))));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 3);

    if (!m_shots.isEmpty()) {
        view.setColourScheme(WordActivationView::ColourScheme::NeuroX);
        QVERIFY(view.exportFigure(m_shots + QStringLiteral("/wordview-export.png"), opt));
        QVERIFY(view.exportFigure(m_shots + QStringLiteral("/wordview-export.pdf"), opt));
        QVERIFY(view.exportFigure(m_shots + QStringLiteral("/wordview-export.svg"), opt));
        QSvgRenderer exported(m_shots + QStringLiteral("/wordview-export.svg"));
        QImage svgImage(exported.defaultSize() * 2, QImage::Format_ARGB32);
        svgImage.fill(Qt::white);
        QPainter svgPainter(&svgImage);
        exported.render(&svgPainter);
        svgPainter.end();
        svgImage.save(m_shots + QStringLiteral("/wordview-export-svg.png"));
        view.setColourScheme(WordActivationView::ColourScheme::Diverging);
        view.setNormalisation(WordActivationView::Normalisation::Global);
        QVERIFY(view.exportFigure(m_shots + QStringLiteral("/wordview-diverging.png"), opt));
    }
}

void TestWordView::helpersFromDataset()
{
    salient::LabelVocabulary vocab;
    const salient::Dataset ds = bankDataset(vocab);
    const WordActivationData data = salient::ui::wordDataFromDataset(ds, 1, {2, 0, 99}, &vocab);
    QCOMPARE(data.sentences.size(), size_t(2)); // record 99 does not exist
    QCOMPARE(data.title, QStringLiteral("Layer 4 \u00b7 neuron 1"));
    const WordSentence &first = data.sentences[0];
    QCOMPARE(first.record, qint64(2));
    QCOMPARE(first.tokens, (QStringList{QStringLiteral("the"), QStringLiteral("river"),
                                        QStringLiteral("flows")}));
    QCOMPARE(first.rows, (QVector<int>{6, 7, 8}));
    QCOMPARE(first.labels.at(2), QStringLiteral("VBZ"));
    QCOMPARE(data.sentences[1].activations.at(1), 4.0f);
    QVERIFY_THROWS_EXCEPTION(salient::Error, salient::ui::wordDataFromDataset(ds, 5, {0}));

    salient::TopSentencesOptions top;
    top.count = 2;
    const auto sentences = salient::topSentences(ds, 1, top);
    const WordActivationData fromTop =
        salient::ui::wordDataFromTopSentences(ds, 1, sentences, &vocab);
    QCOMPARE(fromTop.sentences.size(), size_t(2));
    QCOMPARE(fromTop.sentences[0].record, qint64(0));
    QCOMPARE(fromTop.sentences[0].rows, (QVector<int>{0, 1, 2}));
    QCOMPARE(fromTop.sentences[1].rows, (QVector<int>{3, 4, 5}));
    QCOMPARE(fromTop.sentences[1].labels.at(1), QStringLiteral("NN"));

    // Clicking "bank" in the view reports its dataset row.
    WordActivationView view;
    view.setData(fromTop);
    showView(view);
    QSignalSpy spy(&view, &WordActivationView::tokensSelected);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.tokenRect(1, 1).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).value<QVector<int>>(), (QVector<int>{4}));
    QCOMPARE(ds.rowToken[4], QStringLiteral("bank"));
}

void TestWordView::inspectorShowsProfile()
{
    salient::LabelVocabulary vocab;
    const salient::Dataset ds = bankDataset(vocab);
    const salient::NeuronProfile profile = salient::neuronProfile(ds, 1, &vocab);
    QVERIFY(!profile.topWords.empty());

    // The neuron's summary comes from core (neuronSummary over a probe report).
    salient::ProbeReport report;
    report.labels = vocab.names;
    report.layout.layerIds = {4};
    report.layout.dims = 2;
    report.probe.labels = vocab.names;
    report.probe.W = salient::MatrixF::Zero(4, 2);
    report.probe.W(1, 1) = 2.5f; // NN
    report.probe.W(2, 1) = -0.75f;
    report.ordering = {1, 0};
    report.perLabel = {{0, 1}, {1, 0}, {1, 0}, {0, 1}};
    const salient::NeuronSummary info = salient::neuronSummary(report, 1);
    QCOMPARE(info.id, (salient::NeuronId{4, 1}));
    QCOMPARE(info.flatIndex, 9);
    QCOMPARE(info.overallRank, 1);
    QCOMPARE(info.classes.size(), size_t(4));
    QCOMPARE(info.classes[0].name, QStringLiteral("NN"));
    QCOMPARE(info.classes[0].weight, 2.5);

    NeuronInspector inspector;
    inspector.resize(inspector.sizeHint());
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QCOMPARE(inspector.topWordsTable()->model()->rowCount(), 0);
    inspector.setNeuron(info, profile);

    // Cell text as the views show it (through their sorting proxies).
    auto cell = [](QTableView *t, int row, int column) {
        return t->model()->index(row, column).data().toString();
    };
    QTableView *words = inspector.topWordsTable();
    QCOMPARE(words->model()->rowCount(), int(profile.topWords.size()));
    QCOMPARE(cell(words, 0, 1), QStringLiteral("bank"));
    QCOMPARE(cell(words, 0, 4), QStringLiteral("2"));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("Layer 4 \u00b7 unit 1")));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("flat index 9")));
    QVERIFY(
        inspector.summaryText().contains(QStringLiteral("Overall rank by weight mass: 1 of 2")));
    QSignalSpy wordSpy(&inspector, &NeuronInspector::wordActivated);
    Q_EMIT words->activated(words->model()->index(0, 3));
    QCOMPARE(wordSpy.count(), 1);
    QCOMPARE(wordSpy.last().at(0).toString(), QStringLiteral("bank"));

    // Per-class table: core's order (|W| descending), sortable.
    QTableView *classes = inspector.classTable();
    QCOMPARE(classes->model()->rowCount(), 4);
    QCOMPARE(cell(classes, 0, 1), QStringLiteral("NN"));
    QCOMPARE(cell(classes, 0, 4), QStringLiteral("1"));
    QCOMPARE(cell(classes, 1, 1), QStringLiteral("VBD"));
    classes->sortByColumn(2, Qt::DescendingOrder);
    QCOMPARE(cell(classes, 0, 1), QStringLiteral("NN"));
    QCOMPARE(cell(classes, 3, 1), QStringLiteral("VBD"));
    classes->sortByColumn(3, Qt::DescendingOrder);
    QCOMPARE(cell(classes, 1, 1), QStringLiteral("VBD"));
    QCOMPARE(cell(classes, 1, 2), QStringLiteral("\u22120.75"));
    classes->sortByColumn(6, Qt::DescendingOrder); // mean activation: NN has the banks
    QCOMPARE(cell(classes, 0, 1), QStringLiteral("NN"));
    classes->sortByColumn(0, Qt::AscendingOrder);
    QCOMPARE(cell(classes, 1, 1), QStringLiteral("VBD"));
    // The model itself stays in core's order whatever the view's sorting.
    QCOMPARE(inspector.classModel()->className(1), QStringLiteral("VBD"));
    // At its default size the per-class table shows at least 8 rows, without a scroll bar.
    QVERIFY(!classes->horizontalScrollBar()->isVisible());
    QVERIFY(classes->viewport()->height() >= 8 * classes->verticalHeader()->defaultSectionSize());

    // Top sentences: activating one reports its record.
    QListWidget *list = inspector.sentenceList();
    QCOMPARE(list->count(), int(profile.sentences.size()));
    QSignalSpy spy(&inspector, &NeuronInspector::sentenceActivated);
    Q_EMIT list->itemActivated(list->item(1));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toLongLong(), qint64(profile.sentences[1].sentence));

    if (!m_shots.isEmpty()) {
        inspector.grab().save(m_shots + QStringLiteral("/inspector.png"));
        WordActivationView view;
        view.setData(salient::ui::wordDataFromTopSentences(ds, 1, profile.sentences, &vocab));
        view.setShowLabels(true);
        view.resize(520, 260);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.search(QStringLiteral("bank"));
        view.grab().save(m_shots + QStringLiteral("/wordview.png"));
    }

    inspector.clear();
    QCOMPARE(words->model()->rowCount(), 0);
    QCOMPARE(classes->model()->rowCount(), 0);
    QCOMPARE(list->count(), 0);
}

QTEST_MAIN(TestWordView)
#include "tst_wordview.moc"
