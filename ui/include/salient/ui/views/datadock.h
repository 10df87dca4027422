#pragma once
// The Data view: which files (or the demo) are loaded, and the validation report (layers × dims,
// sentences, tokens, label set, mismatched lines, NaN/Inf rows, memory). Also the dialog that
// picks activation/token/label files per split. GUI thread only; shows core structs, computes
// nothing.
#include "salient/data/task.h"

#include <QDialog>
#include <QWidget>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QTextBrowser;
class QTimer;

namespace salient::ui {

class JobRunner;

/**
 * The dev or test file that goes with train file @p trainPath: the word "train" in its file name
 * (between non-letters, any case; e.g. ptb_pos.train.words.txt, stories260K.ptb.train.hdf5,
 * Train_acts.h5) replaced by @p split ("dev" also tries "valid", "validation" and "val"), keeping
 * the case style. Returns the first candidate that exists as a file, "" when none does (or the
 * name has no "train"). Reads only file existence. Any thread.
 */
QString siblingSplitFile(const QString &trainPath, const QString &split);

/**
 * Picks activations, tokens and labels for train (required), dev and test, and the data options
 * salient-cli takes (--task, --layers, --binarize, --balance; --standardize, a probe option).
 *
 * Typing or choosing a train file fills the same role's dev and test fields with
 * siblingSplitFile() when they are empty (or still hold an earlier automatic fill). Accepting
 * remembers the fields and options (they prefill the next dialog, so a load that fails does not
 * lose what was typed); a data set that loaded is added to the recent list
 * (addRecentDataSet), which the dialog offers at the top. Both live in QSettings (see
 * setSettingsPath). GUI thread only.
 */
class OpenDataDialog : public QDialog {
    Q_OBJECT
public:
    /// @p jobs runs the memory estimate (Interactive lane); it must outlive the dialog. The
    /// fields start with the last accepted inputs (restoreLast()).
    OpenDataDialog(JobRunner *jobs, QWidget *parent = nullptr);
    /// The paths and the data options as core takes them (layers text parsed with
    /// salient::parseIndexList; invalid text gives no layer subset here — accept() refuses it).
    TaskInputs inputs() const;
    /// Sets the fields and the data options (storage, budget, task, layers, binarize, balance)
    /// exactly as given (an empty dev/test field stays empty; see fillMissingSplits).
    void setInputs(const TaskInputs &inputs);
    /// Fills empty dev/test fields from the train names (siblingSplitFile), e.g. after a drop of
    /// train files only.
    void fillMissingSplits();
    /// --standardize: z-score every neuron with train statistics (ProbeOptions::standardize).
    bool standardize() const;
    void setStandardize(bool on);
    /// The memory estimate shown for the current fields ("" until computed), for tests.
    QString memoryEstimate() const;
    /// The field of @p split (0 train, 1 dev, 2 test) and @p role (0 activations, 1 tokens,
    /// 2 labels).
    QLineEdit *field(int split, int role) const { return m_fields[split][role]; }
    QComboBox *recentChooser() const { return m_recent; }
    QComboBox *taskChooser() const { return m_task; }
    QLineEdit *layersField() const { return m_layers; }
    QLineEdit *binarizeField() const { return m_binarize; }
    QCheckBox *balanceBox() const { return m_balance; }
    QCheckBox *standardizeBox() const { return m_standardize; }
    /// The last error accept() showed (invalid layer list, no train files), "" when none.
    QString validationError() const;

    /// Validates (train activations, tokens and labels given; layer list valid), remembers the
    /// inputs (prefill of the next dialog) and closes; otherwise shows why and stays open.
    void accept() override;
    /// Fills the fields with the last accepted inputs (no-op when there are none).
    void restoreLast();

    /// QSettings file (INI) holding the last inputs and the recent data sets; "" (default) = the
    /// application's QSettings. For tests and portable setups; GUI thread.
    static void setSettingsPath(const QString &iniPath);
    /// Recent data sets, most recent first (at most kMaxRecent), with their options.
    static std::vector<TaskInputs> recentDataSets();
    /// Puts @p inputs first in the recent list (an entry with the same train files is replaced);
    /// @p standardize is stored with it.
    static void addRecentDataSet(const TaskInputs &inputs, bool standardize);
    static constexpr int kMaxRecent = 8;

private:
    /// Recomputes the storage plan from the files' metadata off the GUI thread (debounced).
    void scheduleEstimate();
    void runEstimate();
    /// Fills dev/test of @p role from the train field (see the class comment).
    void autofill(int role);
    void fillRecentChooser();

    QLineEdit *m_fields[3][3] = {}; ///< [split][activations, tokens, labels]
    QString m_autoFilled[3][3];     ///< what autofill() last put into a field
    QComboBox *m_recent = nullptr;
    QComboBox *m_task = nullptr;
    QLineEdit *m_layers = nullptr;
    QLineEdit *m_binarize = nullptr;
    QCheckBox *m_balance = nullptr;
    QCheckBox *m_standardize = nullptr;
    QLabel *m_error = nullptr;
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
