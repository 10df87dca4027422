#pragma once
// Two composite docks of the main window: the Run panel (probe settings, one button per
// analysis, the job list) and the Words panel (search bar, colour options, per-word view).
#include <QJsonObject>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

class JobRunner;
class JobsDock;
class ProbeSettingsWidget;
class WordActivationView;

/// Probe settings, one button per analysis (emits runRequested(name)) and the job list.
class RunPanel : public QWidget {
    Q_OBJECT
public:
    RunPanel(JobRunner *jobs, QWidget *parent = nullptr);
    ProbeSettingsWidget *settings() const { return m_settings; }
    JobsDock *jobsDock() const { return m_jobsDock; }
    /// "Seeds" next to "Train probe": repetitions of the probe (option "seeds", 1..1000).
    QSpinBox *probeSeeds() const { return m_probeSeeds; }
    /// The analysis options the panel sets for @p name: {"seeds": N} for "probe" when N > 1
    /// (a single seed sets nothing, so a session replays as before); {} otherwise.
    QJsonObject analysisOptions(const QString &name) const;

Q_SIGNALS:
    /// The user asked to run analysis @p name ("probe", "grid-search", ...).
    void runRequested(const QString &name);

private:
    ProbeSettingsWidget *m_settings = nullptr;
    JobsDock *m_jobsDock = nullptr;
    QSpinBox *m_probeSeeds = nullptr;
};

/// The per-word view with a search box (match count, Enter = next match) and colour options.
class WordsPanel : public QWidget {
    Q_OBJECT
public:
    explicit WordsPanel(QWidget *parent = nullptr);
    WordActivationView *view() const { return m_words; }
    QLineEdit *search() const { return m_search; }

private:
    QLineEdit *m_search = nullptr;
    QLabel *m_count = nullptr;
    WordActivationView *m_words = nullptr;
};

} // namespace salient::ui
