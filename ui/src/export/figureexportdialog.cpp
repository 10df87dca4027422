#include "salient/ui/export/figureexportdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace salient::ui {

namespace {

constexpr double kMmPerIn = 25.4;

QString presetLabel(FigurePreset p)
{
    switch (p) {
    case FigurePreset::SingleColumn:
        return QObject::tr("Single column (3.3 × 2.5 in, 8 pt)");
    case FigurePreset::DoubleColumn:
        return QObject::tr("Double column (7 × 3.5 in, 8 pt)");
    case FigurePreset::Slide:
        return QObject::tr("Slide 16:9 (10 × 5.63 in, 14 pt)");
    case FigurePreset::Custom:
        return QObject::tr("Custom size");
    }
    return {};
}

} // namespace

FigureExportDialog::FigureExportDialog(const Figure &figure, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Export figure"));
    auto *form = new QFormLayout;
    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("figurePreset"));
    for (FigurePreset p : {FigurePreset::SingleColumn, FigurePreset::DoubleColumn,
                           FigurePreset::Slide, FigurePreset::Custom})
        m_preset->addItem(presetLabel(p), figurePresetName(p));
    form->addRow(tr("Size"), m_preset);

    auto *size = new QHBoxLayout;
    m_width = new QDoubleSpinBox(this);
    m_height = new QDoubleSpinBox(this);
    for (QDoubleSpinBox *b : {m_width, m_height}) {
        b->setDecimals(2);
        b->setRange(0.5, 1524);
    }
    m_unit = new QComboBox(this);
    m_unit->addItem(tr("in"), QStringLiteral("in"));
    m_unit->addItem(tr("mm"), QStringLiteral("mm"));
    size->addWidget(m_width);
    size->addWidget(new QLabel(QStringLiteral("×"), this));
    size->addWidget(m_height);
    size->addWidget(m_unit);
    form->addRow(tr("Width × height"), size);

    m_font = new QDoubleSpinBox(this);
    m_font->setRange(4, 72);
    m_font->setDecimals(1);
    m_font->setSingleStep(0.5);
    m_font->setSuffix(tr(" pt"));
    m_font->setToolTip(tr("Text size at the final size of the figure"));
    form->addRow(tr("Font size"), m_font);
    m_dpi = new QSpinBox(this);
    m_dpi->setRange(24, 2400);
    m_dpi->setSuffix(tr(" DPI"));
    m_dpi->setToolTip(tr("Resolution of PNG files (PDF and SVG are vector)"));
    form->addRow(tr("PNG resolution"), m_dpi);

    m_useTitle = new QCheckBox(tr("Title"), this);
    m_title = new QLineEdit(figure.title, this);
    form->addRow(m_useTitle, m_title);
    m_useCaption = new QCheckBox(tr("Caption"), this);
    m_caption = new QLineEdit(figure.caption, this);
    m_caption->setToolTip(tr("From the analysis: data, task, λ1, λ2 and seed"));
    form->addRow(m_useCaption, m_caption);
    m_decorations = new QCheckBox(tr("Include the selection marks"), this);
    m_decorations->setToolTip(tr("Draw the selected neuron / cell outline as on screen"));
    form->addRow(QString(), m_decorations);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export…"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    // Restore the last options.
    const QSettings s;
    const FigurePreset saved =
        figurePresetFromName(s.value(QStringLiteral("figure/preset")).toString())
            .value_or(FigurePreset::SingleColumn);
    m_unit->setCurrentIndex(
        s.value(QStringLiteral("figure/unit")).toString() == QLatin1String("mm") ? 1 : 0);
    setPreset(saved);
    if (saved == FigurePreset::Custom) {
        setSizeInches(QSizeF(s.value(QStringLiteral("figure/widthIn"), 3.3).toDouble(),
                             s.value(QStringLiteral("figure/heightIn"), 2.5).toDouble()));
        m_font->setValue(s.value(QStringLiteral("figure/fontPt"), 8.0).toDouble());
    }
    m_dpi->setValue(s.value(QStringLiteral("figure/dpi"), 300).toInt());
    m_useTitle->setChecked(s.value(QStringLiteral("figure/title"), false).toBool());
    m_useCaption->setChecked(s.value(QStringLiteral("figure/caption"), false).toBool());

    connect(m_preset, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling && preset() != FigurePreset::Custom)
            setPreset(preset());
    });
    for (QDoubleSpinBox *b : {m_width, m_height})
        connect(b, &QDoubleSpinBox::valueChanged, this, [this] {
            if (m_filling)
                return;
            m_filling = true;
            m_preset->setCurrentIndex(int(FigurePreset::Custom));
            m_filling = false;
        });
    connect(m_unit, &QComboBox::currentIndexChanged, this, [this](int index) {
        // Keep the physical size: convert the shown numbers.
        const double f = index == 1 ? kMmPerIn : 1.0 / kMmPerIn;
        m_filling = true;
        m_width->setValue(m_width->value() * f);
        m_height->setValue(m_height->value() * f);
        m_filling = false;
    });
}

FigureExportDialog::~FigureExportDialog() = default;

FigurePreset FigureExportDialog::preset() const
{
    return figurePresetFromName(m_preset->currentData().toString()).value_or(FigurePreset::Custom);
}

void FigureExportDialog::setPreset(FigurePreset p)
{
    m_filling = true;
    m_preset->setCurrentIndex(int(p));
    if (p != FigurePreset::Custom) {
        const FigureOptions o = FigureOptions::forPreset(p);
        setSizeInches(o.sizeIn);
        m_font->setValue(o.fontPt);
    }
    m_filling = false;
}

void FigureExportDialog::setSizeInches(QSizeF inches)
{
    const bool old = m_filling;
    m_filling = true;
    const double f = m_unit->currentData().toString() == QLatin1String("mm") ? kMmPerIn : 1.0;
    m_width->setValue(inches.width() * f);
    m_height->setValue(inches.height() * f);
    m_filling = old;
}

QSizeF FigureExportDialog::sizeInches() const
{
    const double f = m_unit->currentData().toString() == QLatin1String("mm") ? kMmPerIn : 1.0;
    return {m_width->value() / f, m_height->value() / f};
}

FigureOptions FigureExportDialog::options() const
{
    FigureOptions o;
    o.sizeIn = sizeInches();
    // A preset's exact size (the spin boxes round mm to 2 decimals).
    if (preset() != FigurePreset::Custom)
        o.sizeIn = FigureOptions::forPreset(preset()).sizeIn;
    o.fontPt = m_font->value();
    o.dpi = m_dpi->value();
    o.decorations = m_decorations->isChecked();
    if (m_useTitle->isChecked())
        o.title = m_title->text().trimmed();
    if (m_useCaption->isChecked())
        o.caption = m_caption->text().trimmed();
    return o;
}

void FigureExportDialog::remember() const
{
    QSettings s;
    const FigureOptions o = options();
    s.setValue(QStringLiteral("figure/preset"), figurePresetName(preset()));
    s.setValue(QStringLiteral("figure/unit"), m_unit->currentData().toString());
    s.setValue(QStringLiteral("figure/widthIn"), o.sizeIn.width());
    s.setValue(QStringLiteral("figure/heightIn"), o.sizeIn.height());
    s.setValue(QStringLiteral("figure/fontPt"), o.fontPt);
    s.setValue(QStringLiteral("figure/dpi"), o.dpi);
    s.setValue(QStringLiteral("figure/title"), m_useTitle->isChecked());
    s.setValue(QStringLiteral("figure/caption"), m_useCaption->isChecked());
}

QString FigureExportDialog::run(QWidget *parent, const Figure &figure, QString *error)
{
    if (!figure.paint) {
        if (error)
            *error = figure.why.isEmpty() ? tr("This view has nothing to export yet.") : figure.why;
        return {};
    }
    FigureExportDialog dialog(figure, parent);
    if (dialog.exec() != QDialog::Accepted)
        return {};
    dialog.remember();
    QSettings s;
    QString filter =
        s.value(QStringLiteral("figure/filter"), QStringLiteral("PDF (*.pdf)")).toString();
    const QString dir = s.value(QStringLiteral("figure/dir")).toString();
    QString path = QFileDialog::getSaveFileName(
        parent, tr("Export figure"),
        dir.isEmpty() ? figure.name : dir + QLatin1Char('/') + figure.name, figureFileFilter(),
        &filter);
    if (path.isEmpty())
        return {};
    path = withFigureSuffix(path, filter);
    s.setValue(QStringLiteral("figure/filter"), filter);
    s.setValue(QStringLiteral("figure/dir"), QFileInfo(path).absolutePath());
    if (!writeFigure(figure, dialog.options(), path, error))
        return {};
    return path;
}

} // namespace salient::ui
