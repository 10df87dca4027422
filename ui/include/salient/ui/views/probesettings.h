#pragma once
// Editor for the probe settings shared by every analysis (λ1, λ2, epochs, batch size, learning
// rate, seed, shuffling, standardisation, NeuroX-compatible mode). GUI thread only.
#include "salient/probe/probe.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace salient::ui {

class ProbeSettingsWidget : public QWidget {
    Q_OBJECT
public:
    explicit ProbeSettingsWidget(QWidget *parent = nullptr);
    /// The edited options (validated by core when a job starts).
    ProbeOptions options() const;
    void setOptions(const ProbeOptions &options);

Q_SIGNALS:
    void changed();

private:
    QLineEdit *m_l1 = nullptr;
    QLineEdit *m_l2 = nullptr;
    QSpinBox *m_epochs = nullptr;
    QComboBox *m_batch = nullptr;
    QLineEdit *m_lr = nullptr;
    QLineEdit *m_seed = nullptr;
    QCheckBox *m_shuffle = nullptr;
    QCheckBox *m_standardize = nullptr;
    QCheckBox *m_neurox = nullptr;
};

} // namespace salient::ui
