#pragma once
// The intervention view (issue 14, docs/intervention.md): runs core's "intervention" analysis as
// a background job through the controller and shows its result — probe accuracy and next-token
// loss, top-k vs random-k over k — and a Generate panel (a prompt's greedy continuation with and
// without an intervention, side by side, computed on the job runner).
//
// Thread: GUI thread only. The view renders what the controller's "intervention" result holds;
// the method runs in core (model/intervention.h).
#include "salient/ui/plotting/plotcanvas.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace salient::ui {

class JobRunner;
class SessionController;

/// One metric ("accuracy" or "loss") of an intervention result over k: top-k, random-k mean
/// with its min–max band, and the clean value as a horizontal line. Log-scaled k (k = 0 left out).
class InterventionCanvas : public PlotCanvas {
    Q_OBJECT
public:
    InterventionCanvas(const QString &metric, QWidget *parent = nullptr);
    /// Shows @p result (the analysis JSON); an empty object or one without the metric clears.
    void setResult(const QJsonObject &result);
    QString metric() const { return m_metric; }

private:
    QString m_metric;
};

class InterventionView : public QWidget {
    Q_OBJECT
public:
    InterventionView(SessionController *controller, JobRunner *jobs, QWidget *parent = nullptr);
    /// The analysis options the form describes (the "intervention" analysis's JSON options).
    QJsonObject options() const;
    /// Starts the analysis through the controller; returns its job id (−1 when it cannot run).
    int run();
    /// Starts a Generate job (prompt continued clean and with the form's neurons set); its
    /// result lands in the two text panes. Returns the job id (−1 without a model).
    int generateNow();
    /// One line on the shown result (model, mode, split, clean numbers); empty without one.
    QString summaryText() const;
    InterventionCanvas *accuracyCanvas() const { return m_accuracy; }
    InterventionCanvas *lossCanvas() const { return m_loss; }
    QLineEdit *modelEdit() const { return m_model; }
    QLineEdit *promptEdit() const { return m_prompt; }
    QLineEdit *neuronsEdit() const { return m_neurons; }
    QPlainTextEdit *cleanText() const { return m_cleanText; }
    QPlainTextEdit *intervenedText() const { return m_intervenedText; }

Q_SIGNALS:
    /// A Generate job finished and both texts are shown.
    void generated();

private:
    void showResult();
    SessionController *m_controller;
    JobRunner *m_jobs;
    QLineEdit *m_model, *m_tokenizer, *m_text, *m_prompt, *m_neurons;
    QComboBox *m_mode;
    QDoubleSpinBox *m_value;
    QSpinBox *m_maxK, *m_draws, *m_maxSentences, *m_tokens;
    QPushButton *m_run, *m_generate;
    QLabel *m_summary;
    InterventionCanvas *m_accuracy, *m_loss;
    QPlainTextEdit *m_cleanText, *m_intervenedText;
};

} // namespace salient::ui
