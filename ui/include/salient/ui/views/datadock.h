#pragma once
// The Data view: which files (or the demo) are loaded, and the validation report (layers × dims,
// sentences, tokens, label set, mismatched lines, NaN/Inf rows, memory). Also the dialog that
// picks activation/token/label files per split. GUI thread only; shows core structs, computes
// nothing.
#include "salient/data/task.h"

#include <QDialog>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QTextBrowser;
class QTimer;

namespace salient::ui {

class JobRunner;

/// Picks activations, tokens and labels for train (required), dev and test.
class OpenDataDialog : public QDialog {
    Q_OBJECT
public:
    /// @p jobs runs the memory estimate (Interactive lane); it must outlive the dialog.
    OpenDataDialog(JobRunner *jobs, QWidget *parent = nullptr);
    TaskInputs inputs() const;
    void setInputs(const TaskInputs &inputs);
    /// The memory estimate shown for the current fields ("" until computed), for tests.
    QString memoryEstimate() const;

private:
    /// Recomputes the storage plan from the files' metadata off the GUI thread (debounced).
    void scheduleEstimate();
    void runEstimate();

    QLineEdit *m_fields[3][3] = {}; ///< [split][activations, tokens, labels]
    QComboBox *m_storage = nullptr;
    QDoubleSpinBox *m_budget = nullptr; ///< MB (decimal, 10^6 bytes)
    QLabel *m_estimate = nullptr;
    QTimer *m_debounce = nullptr;
    JobRunner *m_jobs;
    int m_estimateGeneration = 0; ///< stale estimates are dropped
};

class DataDock : public QWidget {
    Q_OBJECT
public:
    explicit DataDock(QWidget *parent = nullptr);
    /// Shows the report of a loaded task; @p source names it ("built-in demo (synthetic)", paths).
    void showTask(const LoadedTask &task, const QString &source, const QString &description = {});
    /// The report as plain text (also what the view shows), for tests and export.
    QString reportText() const { return m_text; }

Q_SIGNALS:
    void openFilesRequested();
    void demoRequested();

private:
    QTextBrowser *m_view = nullptr;
    QString m_text;
};

/// The validation report of @p task as plain text.
QString validationReport(const LoadedTask &task, const QString &source);

} // namespace salient::ui
