#pragma once
// "Extract activations…": a model checkpoint + a sentences file → NeuroX HDF5 activations, run as
// a background job (core/include/salient/model/extract.h does the work).
#include "salient/model/extract.h"
#include "salient/ui/jobs/jobrunner.h"

#include <QDialog>
#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

struct ExtractRequest {
    QString model;     ///< HF folder or llama2.c .bin
    QString tokenizer; ///< llama2.c tokenizer.bin (empty: beside the model / HF folder)
    QString sentences;
    QString output;
    model::ExtractOptions options;
};

/// The labels file that goes with a sentences file by the corpora's naming (x.words.txt →
/// x.labels.txt, x.tokens → x.labels, x.txt → x.labels.txt), if it exists; else empty.
QString matchingLabelsFile(const QString &sentences);

class ExtractDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExtractDialog(QWidget *parent = nullptr);
    ExtractRequest request() const;
    void setRequest(const ExtractRequest &r);
    /// The reason the request cannot run yet ("" when it can); shown in the dialog.
    QString problem() const;

private:
    void update();
    QLineEdit *m_model = nullptr, *m_tokenizer = nullptr, *m_sentences = nullptr,
              *m_output = nullptr, *m_layers = nullptr;
    QComboBox *m_aggregation = nullptr, *m_dtype = nullptr, *m_lastLayer = nullptr,
              *m_keys = nullptr;
    QCheckBox *m_decompose = nullptr, *m_restart = nullptr;
    QSpinBox *m_batch = nullptr;
    QLabel *m_problem = nullptr;
};

/// Result of an extraction job, filled on the worker, read in the Done handler.
struct ExtractJobResult {
    model::ExtractSummary summary;
};

/**
 * Starts the extraction on @p jobs' Compute lane: loads the model and tokenizer, extracts with
 * progress "n / N sentences" (the jobs dock shows the ETA) and cancel (the partial files stay and
 * the same request resumes). @p onDone runs on the GUI thread with the summary (complete only when
 * the status is Ok). Returns the job id.
 */
int startExtractionJob(
    JobRunner *jobs, const ExtractRequest &request,
    std::function<void(JobStatus, const QString &, const ExtractJobResult &)> onDone);

} // namespace salient::ui
