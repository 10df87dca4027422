#pragma once
// File › Export view… and each view's "Export figure…": the figure's final size (preset or
// custom W × H in mm or in), font size, PNG DPI, title, caption and interaction marks.
#include "salient/ui/export/figureexport.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

/**
 * Asks for FigureOptions (remembered in QSettings under "figure/"). Choosing a preset fills the
 * size and font; editing the size switches to Custom. The title and caption fields start with
 * the figure's own (from the analysis) and are drawn only when their box is ticked.
 * GUI thread only.
 */
class FigureExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit FigureExportDialog(const Figure &figure, QWidget *parent = nullptr);
    ~FigureExportDialog() override;

    /// The options as entered (title / caption empty when their box is unticked).
    FigureOptions options() const;
    FigurePreset preset() const;
    /// Selects @p preset and fills its size and font.
    void setPreset(FigurePreset preset);
    /// Width and height as shown, in the unit of unitBox() ("mm" or "in").
    QDoubleSpinBox *widthBox() const { return m_width; }
    QDoubleSpinBox *heightBox() const { return m_height; }
    QComboBox *unitBox() const { return m_unit; }
    QDoubleSpinBox *fontBox() const { return m_font; }
    QSpinBox *dpiBox() const { return m_dpi; }
    QCheckBox *titleCheck() const { return m_useTitle; }
    QCheckBox *captionCheck() const { return m_useCaption; }
    QCheckBox *decorationsCheck() const { return m_decorations; }

    /// Saves the options for the next dialog (called on accept).
    void remember() const;

    /**
     * The whole interaction: this dialog, then a save-file dialog (PDF / SVG / PNG filter; a
     * name without a suffix gets the chosen filter's), then writeFigure(). Returns the written
     * path, "" when cancelled or on an error (then in @p error).
     */
    static QString run(QWidget *parent, const Figure &figure, QString *error);

private:
    void setSizeInches(QSizeF inches);
    QSizeF sizeInches() const;

    QComboBox *m_preset = nullptr;
    QDoubleSpinBox *m_width = nullptr, *m_height = nullptr;
    QComboBox *m_unit = nullptr;
    QDoubleSpinBox *m_font = nullptr;
    QSpinBox *m_dpi = nullptr;
    QCheckBox *m_useTitle = nullptr, *m_useCaption = nullptr, *m_decorations = nullptr;
    QLineEdit *m_title = nullptr, *m_caption = nullptr;
    bool m_filling = false;
};

} // namespace salient::ui
