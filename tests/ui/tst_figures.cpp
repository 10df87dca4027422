// Paper figures of every view (figureexport.h), offscreen on the demo data: page size of each
// preset, embedded fonts, no JPEG, SVG with a sans-serif fallback, PNG at the asked DPI, a file
// name without a suffix, and no selection marks unless asked. The PDF checks use poppler-utils
// (pdfinfo, pdffonts, pdfimages) and are skipped with a message without them.
#include "salient/ui/export/figureexport.h"
#include "salient/ui/export/figureexportdialog.h"
#include "salient/ui/export/viewfigures.h"
#include "salient/ui/jobs/jobrunner.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/plotting/colormaps.h"
#include "salient/ui/plotting/curvescanvas.h"
#include "salient/ui/plotting/layerbarscanvas.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/plotting/trainingcurvecanvas.h"
#include "salient/ui/views/analysisviews.h"
#include "salient/ui/views/comparedock.h"
#include "salient/ui/views/curvesview.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/salienceview.h"
#include "salient/ui/views/wordactivationview.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <qcustomplot.h>

#include <memory>

using namespace salient;
using namespace salient::ui;

namespace {

/// Runs @p program with @p args; its stdout, or a null QString when it is missing or fails.
QString run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    return QString::fromUtf8(p.readAllStandardOutput());
}

bool haveTool(const char *name)
{
    return !QStandardPaths::findExecutable(QLatin1String(name)).isEmpty();
}

/// Every view of the window, by figure name.
std::vector<std::pair<QString, QWidget *>> views(MainWindow &w)
{
    return {{QStringLiteral("heatmap"), w.salienceView()},
            {QStringLiteral("layers"), w.layerBars()},
            {QStringLiteral("curves"), w.curvesView()},
            {QStringLiteral("grid"), w.gridSearchView()},
            {QStringLiteral("layerwise"), w.layerwiseView()},
            {QStringLiteral("training"), w.trainingCurve()},
            {QStringLiteral("words"), w.wordView()},
            {QStringLiteral("inspector"), w.inspector()},
            {QStringLiteral("compare"), w.compareDock()}};
}

} // namespace

class TestFigures : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_w;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<JobStatus>();
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTest"));
        QStandardPaths::setTestModeEnabled(true);
        qputenv("SALIENT_CLI", SALIENT_CLI_PATH);
        // SALIENT_KEEP_FIGURES=1 keeps the written figures (to look at them) and prints where.
        if (qEnvironmentVariableIsSet("SALIENT_KEEP_FIGURES")) {
            m_dir.setAutoRemove(false);
            qInfo("figures are kept in %s", qPrintable(m_dir.path()));
        }
        m_w = std::make_unique<MainWindow>();
        MainWindow &w = *m_w;
        w.setInteractive(false);
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.loadDemo() >= 0);
        QVERIFY(w.waitForJobs(120000));
        const QJsonObject fast{{QStringLiteral("epochs"), 2}};
        w.runAnalysisJob(QStringLiteral("probe"));
        QVERIFY(w.waitForJobs(300000));
        QVERIFY(w.probe());
        for (const QString &a : {QStringLiteral("minimal-subset"), QStringLiteral("ablation")}) {
            w.runAnalysisJob(a);
            QVERIFY(w.waitForJobs(300000));
        }
        w.runAnalysisJob(QStringLiteral("grid-search"),
                         {{QStringLiteral("l1_values"), QJsonArray{0.0, 1e-3}},
                          {QStringLiteral("l2_values"), QJsonArray{0.0, 0.1}}});
        QVERIFY(w.waitForJobs(300000));
        w.runAnalysisJob(QStringLiteral("layerwise"));
        QVERIFY(w.waitForJobs(300000));
        w.selectColumn(2 * w.task()->train->dims + 7);
        QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
        const QString session = m_dir.filePath(QStringLiteral("a.json"));
        QVERIFY(w.saveSessionAs(session));
        QSignalSpy compared(&w, &MainWindow::comparisonReady);
        w.loadCompareSession(session);
        QVERIFY(w.waitForJobs(300000));
        QTRY_VERIFY_WITH_TIMEOUT(w.compareDock()->hasComparison(), 30000);
        QApplication::processEvents();
    }

    void cleanupTestCase() { m_w.reset(); }

    void everyViewAtEveryPreset_data()
    {
        QTest::addColumn<QString>("view");
        QTest::addColumn<int>("preset");
        for (const auto &[name, widget] : views(*m_w))
            for (FigurePreset p :
                 {FigurePreset::SingleColumn, FigurePreset::DoubleColumn, FigurePreset::Slide})
                QTest::newRow(qPrintable(name + QLatin1Char('/') + figurePresetName(p)))
                    << name << int(p);
    }

    void everyViewAtEveryPreset()
    {
        QFETCH(QString, view);
        QFETCH(int, preset);
        QWidget *widget = nullptr;
        for (const auto &[name, wgt] : views(*m_w))
            if (name == view)
                widget = wgt;
        QVERIFY(widget);
        QCOMPARE(figureViewOf(widget), widget);
        const Figure figure = figureForView(widget, m_w->controller());
        QVERIFY2(figure.paint, qPrintable(figure.why));
        QCOMPARE(figure.name, view);
        FigureOptions o = FigureOptions::forPreset(FigurePreset(preset));
        o.title = figure.title;
        o.caption = figure.caption.isEmpty() ? QStringLiteral("caption") : figure.caption;
        o.dpi = 150;
        const QString stem =
            m_dir.filePath(view + QLatin1Char('-') + figurePresetName(FigurePreset(preset)));
        QString error;

        // PNG: inches × dpi pixels, the DPI stored, not blank.
        QVERIFY2(writeFigure(figure, o, stem + QStringLiteral(".png"), &error), qPrintable(error));
        const QImage png(stem + QStringLiteral(".png"));
        QCOMPARE(png.width(), qRound(o.sizeIn.width() * o.dpi));
        QCOMPARE(png.height(), qRound(o.sizeIn.height() * o.dpi));
        QCOMPARE(qRound(png.dotsPerMeterX() * 0.0254), qRound(o.dpi));
        QSet<QRgb> colours;
        for (int y = 0; y < png.height(); y += 7)
            for (int x = 0; x < png.width(); x += 7)
                colours.insert(png.pixel(x, y));
        QVERIFY2(colours.size() > 3, qPrintable(QString::number(colours.size())));

        // SVG: parses, renders, every font-family names a sans-serif fallback.
        QVERIFY2(writeFigure(figure, o, stem + QStringLiteral(".svg"), &error), qPrintable(error));
        QFile svgFile(stem + QStringLiteral(".svg"));
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svg = svgFile.readAll();
        QXmlStreamReader xml(svg);
        int families = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement()
                && xml.attributes().hasAttribute(QStringLiteral("font-family"))) {
                ++families;
                const QString f = xml.attributes().value(QStringLiteral("font-family")).toString();
                QVERIFY2(f.endsWith(QStringLiteral("sans-serif")), qPrintable(f));
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(families > 0);
        QVERIFY(QSvgRenderer(svg).isValid());

        // PDF: the page is the preset's size, fonts embedded, images not JPEG.
        const QString pdf = stem + QStringLiteral(".pdf");
        QVERIFY2(writeFigure(figure, o, pdf, &error), qPrintable(error));
        if (!haveTool("pdfinfo") || !haveTool("pdffonts") || !haveTool("pdfimages"))
            QSKIP("poppler-utils (pdfinfo, pdffonts, pdfimages) not installed: PDF page size, "
                  "fonts and image encodings not checked (packaging/install-deps.sh installs "
                  "them)");
        const QString info = run(QStringLiteral("pdfinfo"), {pdf});
        const QRegularExpressionMatch size =
            QRegularExpression(QStringLiteral("Page size:\\s+([\\d.]+) x ([\\d.]+) pts"))
                .match(info);
        QVERIFY2(size.hasMatch(), qPrintable(info));
        QVERIFY2(std::abs(size.captured(1).toDouble() - o.sizeIn.width() * 72) <= 1.0,
                 qPrintable(info));
        QVERIFY2(std::abs(size.captured(2).toDouble() - o.sizeIn.height() * 72) <= 1.0,
                 qPrintable(info));
        const QStringList fontLines =
            run(QStringLiteral("pdffonts"), {pdf}).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(fontLines.size() > 2, qPrintable(fontLines.join(QLatin1Char('\n'))));
        // Columns: name type encoding emb sub uni object ID; the header is two lines.
        for (const QString &line : fontLines.mid(2)) {
            const QStringList cols =
                line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            QVERIFY2(cols.size() >= 7, qPrintable(line));
            QVERIFY2(cols.at(cols.size() - 5) == QLatin1String("yes"), qPrintable(line));
        }
        const QString images = run(QStringLiteral("pdfimages"), {QStringLiteral("-list"), pdf});
        QVERIFY2(!images.contains(QStringLiteral("jpeg"))
                     && !images.contains(QStringLiteral("jpx")),
                 qPrintable(images));
    }

    // Issue 12: at single column the ablation legend (ten entries) stays inside the figure and
    // no entry is cut; the compare figure's panels too.
    void legendsFitAtSingleColumn()
    {
        const FigureOptions o = FigureOptions::forPreset(FigurePreset::SingleColumn);
        CurvesCanvas *curves = m_w->curvesView()->canvas();
        QVERIFY(curves->legendItemCount() >= 6);
        QString error;
        QVERIFY2(writeFigure(figureForView(m_w->curvesView(), nullptr), o,
                             m_dir.filePath(QStringLiteral("legend-curves.png")), &error),
                 qPrintable(error));
        const PlotCanvas::FigureLayout &l = curves->lastFigureLayout();
        QVERIFY(!l.legend.isNull());
        QVERIFY2(l.rect.adjusted(-1, -1, 1, 1).contains(l.legend),
                 qPrintable(QStringLiteral("legend %1,%2 %3 × %4 in %5 × %6")
                                .arg(l.legend.x())
                                .arg(l.legend.y())
                                .arg(l.legend.width())
                                .arg(l.legend.height())
                                .arg(l.rect.width())
                                .arg(l.rect.height())));
        QCOMPARE(l.clippedLegendItems, 0);
        // The legend leaves the plot most of the height.
        QVERIFY2(l.legend.height() < 0.5 * l.rect.height(),
                 qPrintable(QString::number(l.legend.height())));
        // The on-screen legend is unchanged (names and wrap restored).
        for (int i = 0; i < curves->plot()->graphCount(); ++i)
            QVERIFY(!curves->plot()->graph(i)->name().contains(QLatin1Char('\n')));

        QVERIFY2(writeFigure(figureForView(m_w->compareDock(), nullptr), o,
                             m_dir.filePath(QStringLiteral("legend-compare.png")), &error),
                 qPrintable(error));
        const PlotCanvas::FigureLayout &c = m_w->compareDock()->layerBars()->lastFigureLayout();
        QCOMPARE(c.clippedLegendItems, 0);
        if (!c.legend.isNull())
            QVERIFY(c.rect.adjusted(-1, -1, 1, 1).contains(c.legend));
    }

    // Issue 12: layer tick labels are thinned by the pixels the axis has, and the colour-bar
    // title is wrapped to the bar's height.
    void heatmapLabelsFitTheirRoom()
    {
        SalienceHeatmapCanvas c;
        SalienceHeatmapCanvas *shown = m_w->salienceView()->canvas();
        c.setMatrix(shown->matrix(), shown->valueKind());
        const int layers = shown->matrix().layers;
        QVERIFY(layers >= 4);
        c.show();
        QCPColorScale *scale = nullptr;
        for (QCPLayoutElement *e : c.plot()->plotLayout()->elements(true))
            if (auto *s = qobject_cast<QCPColorScale *>(e))
                scale = s;
        QVERIFY(scale);
        for (int height : {150, 220, 500}) {
            c.resize(520, height);
            QApplication::processEvents();
            c.plot()->replot();
            c.plot()->replot();
            QCPAxis *y = c.plot()->yAxis;
            const double labelH = QFontMetricsF(y->tickLabelFont()).height();
            const auto ticks = y->tickVector().size();
            const double room = y->axisRect()->height();
            QVERIFY2(
                ticks >= 1 && ticks * labelH <= room,
                qPrintable(
                    QStringLiteral("%1 ticks of %2 px in %3 px").arg(ticks).arg(labelH).arg(room)));
            if (height == 500)
                QCOMPARE(int(ticks), layers); // enough room: every layer labelled
            const QCPAxis *axis = scale->axis();
            QVERIFY(axis);
            const QFontMetricsF fm(axis->labelFont());
            const QString label = axis ? axis->label() : QString();
            const double bar = scale->rect().height();
            for (qsizetype k = 0; k <= label.count(QLatin1Char('\n')); ++k) {
                const QString line = label.section(QLatin1Char('\n'), int(k), int(k));
                QVERIFY2(fm.horizontalAdvance(line) <= bar,
                         qPrintable(QStringLiteral("“%1” %2 px on a %3 px bar")
                                        .arg(line)
                                        .arg(fm.horizontalAdvance(line))
                                        .arg(bar)));
            }
        }
    }

    void fileNameWithoutSuffixGetsTheFiltersSuffix()
    {
        QCOMPARE(withFigureSuffix(QStringLiteral("/tmp/fig"), QStringLiteral("SVG (*.svg)")),
                 QStringLiteral("/tmp/fig.svg"));
        QCOMPARE(withFigureSuffix(QStringLiteral("/tmp/fig"), QStringLiteral("PDF (*.pdf)")),
                 QStringLiteral("/tmp/fig.pdf"));
        QCOMPARE(withFigureSuffix(QStringLiteral("/tmp/fig.PNG"), QStringLiteral("PDF (*.pdf)")),
                 QStringLiteral("/tmp/fig.PNG"));
        QCOMPARE(withFigureSuffix(QStringLiteral("/tmp/v1.2"), QStringLiteral("PNG (*.png)")),
                 QStringLiteral("/tmp/v1.2.png"));
        const Figure f = figureForView(m_w->layerBars(), m_w->controller());
        const QString path = withFigureSuffix(m_dir.filePath(QStringLiteral("nosuffix")),
                                              QStringLiteral("PNG (*.png)"));
        QVERIFY(writeFigure(f, FigureOptions::forPreset(FigurePreset::SingleColumn), path));
        QVERIFY(QFileInfo::exists(m_dir.filePath(QStringLiteral("nosuffix.png"))));
        QString error;
        QVERIFY(!writeFigure(f, FigureOptions(), m_dir.filePath(QStringLiteral("x.gif")), &error));
        QVERIFY(error.contains(QStringLiteral(".pdf")));
        FigureOptions bad;
        bad.fontPt = 2;
        QVERIFY(!writeFigure(f, bad, m_dir.filePath(QStringLiteral("x.pdf")), &error));
        QVERIFY(error.contains(QStringLiteral("font")));
    }

    void selectionMarkOnlyWhenAsked()
    {
        SalienceHeatmapCanvas *h = m_w->heatmap();
        const int column = 2 * m_w->task()->train->dims + 7;
        h->selectNeuron(column);
        const Figure f = figureForView(m_w->salienceView(), m_w->controller());
        FigureOptions o = FigureOptions::forPreset(FigurePreset::SingleColumn);
        o.dpi = 100;
        const QString plain = m_dir.filePath(QStringLiteral("sel-default.png"));
        const QString marked = m_dir.filePath(QStringLiteral("sel-marked.png"));
        const QString none = m_dir.filePath(QStringLiteral("sel-none.png"));
        QVERIFY(writeFigure(f, o, plain));
        o.decorations = true;
        QVERIFY(writeFigure(f, o, marked));
        h->selectNeuron(-1);
        o.decorations = true;
        QVERIFY(writeFigure(f, o, none));
        h->selectNeuron(column);
        // Without decorations the figure equals one with nothing selected; with them it differs.
        QCOMPARE(QImage(plain), QImage(none));
        QVERIFY(QImage(marked) != QImage(none));
        QCOMPARE(h->selectedNeuron(), column); // the screen keeps its selection
    }

    void exportDialogPresetsAndUnits()
    {
        const Figure f = figureForView(m_w->salienceView(), m_w->controller());
        FigureExportDialog d(f);
        d.setPreset(FigurePreset::DoubleColumn);
        QCOMPARE(d.options().sizeIn, QSizeF(7.0, 3.5));
        QCOMPARE(d.options().fontPt, 8.0);
        QVERIFY(d.options().title.isEmpty()); // unticked by default
        d.unitBox()->setCurrentIndex(d.unitBox()->findData(QStringLiteral("mm")));
        QCOMPARE(d.widthBox()->value(), 177.8);
        d.widthBox()->setValue(100.0); // editing the size makes it custom
        QCOMPARE(d.preset(), FigurePreset::Custom);
        QVERIFY(std::abs(d.options().sizeIn.width() - 100.0 / 25.4) < 1e-9);
        d.setPreset(FigurePreset::Slide);
        QCOMPARE(d.options().fontPt, 14.0);
        d.titleCheck()->setChecked(true);
        d.captionCheck()->setChecked(true);
        QCOMPARE(d.options().title, f.title);
        QVERIFY(d.options().caption.contains(QStringLiteral("λ1")));
        QVERIFY(!d.options().decorations);
    }

    // Tables in figures keep the figure's font where they can: trailing columns that do not fit
    // are left out and named in a note under the table; rows that do not fit are counted.
    void tableLeavesOutColumnsBeforeShrinking()
    {
        QStandardItemModel model(20, 6);
        const QStringList headers{QStringLiteral("#"),       QStringLiteral("Class"),
                                  QStringLiteral("Weight"),  QStringLiteral("Tokens"),
                                  QStringLiteral("MeanCol"), QStringLiteral("StdCol")};
        model.setHorizontalHeaderLabels(headers);
        for (int r = 0; r < 20; ++r)
            for (int c = 0; c < 6; ++c)
                model.setItem(r, c, new QStandardItem(QStringLiteral("cell%1x%2").arg(r).arg(c)));
        auto texts = [&](const QRectF &rect, double *height) {
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            QSvgGenerator gen;
            gen.setOutputDevice(&buffer);
            gen.setSize(QSize(int(rect.right()) + 10, int(rect.bottom()) + 10));
            gen.setResolution(72);
            QPainter painter(&gen);
            *height = paintTable(painter, rect, model, figureFont(8), QStringLiteral("Heading"));
            painter.end();
            QStringList out;
            QXmlStreamReader xml(buffer.data());
            while (!xml.atEnd())
                if (xml.readNext() == QXmlStreamReader::StartElement
                    && xml.name() == QLatin1String("text"))
                    out << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
            return out;
        };
        double h = 0;
        // Wide and tall enough: every column and row, no note.
        QStringList all = texts(QRectF(0, 0, 2000, 2000), &h);
        for (const QString &header : headers)
            QVERIFY2(all.contains(header), qPrintable(header));
        QVERIFY(all.contains(QStringLiteral("cell19x5")));
        QVERIFY(!all.join(QLatin1Char(' ')).contains(QStringLiteral("not shown")));
        QVERIFY(!all.join(QLatin1Char(' ')).contains(QStringLiteral("more rows")));
        // Narrow (four columns' width) and short (heading, header, some rows, the note).
        const QFontMetricsF fm(figureFont(8));
        const double rowH = fm.height() * 1.25;
        const double colW = fm.horizontalAdvance(QStringLiteral("cell19x5")) + fm.height();
        QStringList cut = texts(QRectF(0, 0, 4.2 * colW, 8.5 * rowH), &h);
        QVERIFY2(!cut.contains(QStringLiteral("StdCol")), qPrintable(cut.join(QLatin1Char('|'))));
        QVERIFY(!cut.contains(QStringLiteral("cell0x5")));
        QVERIFY(cut.contains(QStringLiteral("cell0x0")));
        QVERIFY(cut.contains(QStringLiteral("Class")));
        int shown = 0;
        while (cut.contains(QStringLiteral("cell%1x0").arg(shown)))
            ++shown;
        QVERIFY2(shown >= 3 && shown < 6, qPrintable(QString::number(shown)));
        QVERIFY(cut.contains(QStringLiteral("cell%1x3").arg(shown - 1)));
        // The note (it may wrap over several lines) follows the last cell and is not elided.
        const QString note = cut.mid(cut.indexOf(QStringLiteral("cell%1x3").arg(shown - 1)) + 1)
                                 .join(QLatin1Char(' '));
        QVERIFY2(note.contains(QStringLiteral("%1 more rows").arg(20 - shown)), qPrintable(note));
        QVERIFY2(note.contains(QStringLiteral("not shown:"))
                     && note.contains(QStringLiteral("MeanCol"))
                     && note.contains(QStringLiteral("StdCol"))
                     && note.contains(QStringLiteral("(in the CSV)")),
                 qPrintable(note));
        QVERIFY(h <= 8.5 * rowH + 1e-9);
    }

    void colourMapsAndLogScale()
    {
        QCOMPARE(colourMapNames(),
                 (QStringList{QStringLiteral("viridis"), QStringLiteral("cividis"),
                              QStringLiteral("magma"), QStringLiteral("greys"),
                              QStringLiteral("rdbu"), QStringLiteral("puor")}));
        QCOMPARE(colourAt(ColourMap::Greys, 0).name(), QStringLiteral("#ffffff"));
        QCOMPARE(colourAt(ColourMap::Magma, 1).name(), QStringLiteral("#fcfdbf"));
        QVERIFY(defaultNanColour(ColourMap::Greys) != defaultNanColour(ColourMap::Viridis));
        SalienceHeatmapCanvas *h = m_w->heatmap();
        h->setLogScale(true);
        QVERIFY(h->logScale());
        QCOMPARE(h->plot()->plottableCount() > 0, true);
        auto *map = qobject_cast<QCPColorMap *>(h->plot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->dataScaleType(), QCPAxis::stLogarithmic);
        QVERIFY(map->dataRange().lower > 0);
        const Figure f = figureForView(m_w->salienceView(), m_w->controller());
        QVERIFY(writeFigure(f, FigureOptions(), m_dir.filePath(QStringLiteral("log.pdf"))));
        h->setLogScale(false);
        QCOMPARE(map->dataScaleType(), QCPAxis::stLinear);
        QCOMPARE(map->dataRange().lower, 0.0);
    }
};

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
