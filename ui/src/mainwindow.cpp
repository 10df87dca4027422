#include "salient/ui/mainwindow.h"

#include "salient/demo.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>
#include <qcustomplot.h>

namespace salient::ui {

MainWindow::MainWindow(std::shared_ptr<const DemoDataset> demo, QWidget *parent)
    : QMainWindow(parent), m_demo(std::move(demo))
{
    setWindowTitle(QStringLiteral("Salient — built-in demo dataset (synthetic)"));
    resize(1100, 720);

    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
    auto *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(tr("&About Salient"), this, &MainWindow::showAbout);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    auto *banner = new QLabel(m_demo->description, central);
    banner->setWordWrap(true);
    banner->setTextFormat(Qt::PlainText);
    banner->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; border: 1px solid #e0c060; padding: 8px; }"));
    layout->addWidget(banner);

    auto *splitter = new QSplitter(Qt::Horizontal, central);
    auto *table = new QTableWidget(0, 2, splitter);
    table->setHorizontalHeaderLabels({tr("Property"), tr("Value")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto addRow = [table](const QString &k, const QString &v) {
        const int r = table->rowCount();
        table->insertRow(r);
        table->setItem(r, 0, new QTableWidgetItem(k));
        table->setItem(r, 1, new QTableWidgetItem(v));
    };
    const auto &o = m_demo->options;
    addRow(tr("Layers × dims"), QStringLiteral("%1 × %2 = %3 neurons").arg(o.layers).arg(o.dims).arg(o.layers * o.dims));
    for (const QString &name : {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
        const auto &info = m_demo->split(name).store->info();
        addRow(tr("%1 split").arg(name), tr("%1 sentences, %2 tokens").arg(info.sentences).arg(info.totalWords));
    }
    std::map<QString, int> posLabels, sufLabels;
    for (const auto &line : m_demo->train.pos.lines)
        for (const QString &l : line)
            ++posLabels[l];
    for (const auto &line : m_demo->train.suffix.lines)
        for (const QString &l : line)
            ++sufLabels[l];
    QStringList pl, sl;
    for (const auto &[k, v] : posLabels)
        pl << k;
    for (const auto &[k, v] : sufLabels)
        sl << k;
    addRow(tr("POS labels (%1)").arg(pl.size()), pl.join(QStringLiteral(" ")));
    addRow(tr("Suffix labels (%1)").arg(sl.size()), sl.join(QStringLiteral(" ")));
    addRow(tr("Planted neurons"), tr("%1").arg(m_demo->planted.size()));
    table->resizeColumnToContents(0);
    table->setWordWrap(true);
    table->resizeRowsToContents();

    // Where the planted neurons live: bars per layer for each property.
    auto *plot = new QCustomPlot(splitter);
    std::vector<double> layersX, pos(size_t(o.layers), 0), suf(size_t(o.layers), 0);
    for (int l = 0; l < o.layers; ++l)
        layersX.push_back(l);
    for (const auto &pn : m_demo->planted)
        (pn.task == QLatin1String("pos") ? pos : suf)[size_t(pn.layer)] += 1;
    auto *barsPos = new QCPBars(plot->xAxis, plot->yAxis);
    auto *barsSuf = new QCPBars(plot->xAxis, plot->yAxis);
    auto *group = new QCPBarsGroup(plot);
    barsPos->setBarsGroup(group);
    barsSuf->setBarsGroup(group);
    barsPos->setWidth(0.35);
    barsSuf->setWidth(0.35);
    barsPos->setName(tr("POS"));
    barsSuf->setName(tr("suffix"));
    barsPos->setBrush(QColor(0x00, 0x72, 0xb2)); // Okabe–Ito blue / orange: colour-blind safe
    barsSuf->setBrush(QColor(0xe6, 0x9f, 0x00));
    barsPos->setData(QVector<double>(layersX.begin(), layersX.end()), QVector<double>(pos.begin(), pos.end()));
    barsSuf->setData(QVector<double>(layersX.begin(), layersX.end()), QVector<double>(suf.begin(), suf.end()));
    plot->xAxis->setLabel(tr("layer (0 = embeddings)"));
    plot->yAxis->setLabel(tr("planted neurons"));
    plot->xAxis->setRange(-0.6, o.layers - 0.4);
    plot->yAxis->setRange(0, std::max(*std::max_element(pos.begin(), pos.end()),
                                      *std::max_element(suf.begin(), suf.end())) + 2);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1);
    plot->xAxis->setTicker(ticker);
    plot->legend->setVisible(true);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, tr("Ground truth: planted neurons per layer"),
                                                            QFont(font().family(), 11, QFont::Bold)));
    splitter->addWidget(table);
    splitter->addWidget(plot);
    splitter->setSizes({450, 650});
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    statusBar()->showMessage(tr("Demo dataset ready — synthetic data with planted neurons"));
}

MainWindow::~MainWindow() = default;

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Salient"),
                       tr("Salient %1\nNeuron-level interpretability of NLP models "
                          "(Linguistic Correlation Analysis, Durrani et al., JMLR 2023).")
                           .arg(QStringLiteral(SALIENT_VERSION)));
}

} // namespace salient::ui
