#include "salient/ui/views/probesettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace salient::ui {

ProbeSettingsWidget::ProbeSettingsWidget(QWidget *parent) : QWidget(parent)
{
    auto *form = new QFormLayout(this);
    auto number = [this](const QString &tip) {
        auto *e = new QLineEdit(this);
        auto *v = new QDoubleValidator(0.0, 1e6, 12, e);
        v->setNotation(QDoubleValidator::ScientificNotation);
        v->setLocale(QLocale::c());
        e->setValidator(v);
        e->setToolTip(tip);
        connect(e, &QLineEdit::textChanged, this, &ProbeSettingsWidget::changed);
        return e;
    };
    m_l1 = number(tr("λ1: L1 penalty Σ|W| added to every batch loss (NeuroX)"));
    m_l2 = number(tr("λ2: L2 penalty ‖W‖_F, not squared (NeuroX)"));
    m_lr = number(tr("Adam learning rate"));
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 1000);
    m_batch = new QComboBox(this);
    m_batch->setEditable(true);
    m_batch->addItems({QStringLiteral("32"), QStringLiteral("128"), QStringLiteral("512")});
    m_batch->setToolTip(tr("32: NeuroX API default · 128: redundancy code · 512: papers"));
    m_batch->setValidator(new QIntValidator(1, 1 << 20, m_batch));
    m_seed = new QLineEdit(this);
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,19}")), m_seed));
    m_seed->setToolTip(
        tr("One seed drives initialisation, shuffling, random neuron sets and control labels"));
    m_shuffle = new QCheckBox(tr("Shuffle mini-batches (seeded)"), this);
    m_standardize = new QCheckBox(tr("Standardise neurons (z-score, train statistics)"), this);
    m_standardize->setToolTip(
        tr("Activation scales differ by layer, which biases weight-based rankings"));
    m_neurox = new QCheckBox(tr("NeuroX-compatible (unshuffled, no standardisation)"), this);
    form->addRow(tr("λ1"), m_l1);
    form->addRow(tr("λ2"), m_l2);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch size"), m_batch);
    form->addRow(tr("Learning rate"), m_lr);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(m_shuffle);
    form->addRow(m_standardize);
    form->addRow(m_neurox);
    connect(m_neurox, &QCheckBox::toggled, this, [this](bool on) {
        m_shuffle->setEnabled(!on);
        m_standardize->setEnabled(!on);
    });
    for (QCheckBox *c : {m_shuffle, m_standardize, m_neurox})
        connect(c, &QCheckBox::toggled, this, &ProbeSettingsWidget::changed);
    connect(m_epochs, &QSpinBox::valueChanged, this, &ProbeSettingsWidget::changed);
    setOptions(ProbeOptions{});
}

ProbeOptions ProbeSettingsWidget::options() const
{
    ProbeOptions o;
    const QLocale c = QLocale::c();
    o.l1 = c.toDouble(m_l1->text());
    o.l2 = c.toDouble(m_l2->text());
    o.learningRate = c.toDouble(m_lr->text());
    o.epochs = m_epochs->value();
    o.batchSize = m_batch->currentText().toInt();
    o.seed = m_seed->text().toULongLong();
    o.shuffle = m_shuffle->isChecked();
    o.standardize = m_standardize->isChecked();
    o.neuroxCompatible = m_neurox->isChecked();
    return o;
}

void ProbeSettingsWidget::setOptions(const ProbeOptions &o)
{
    const QLocale c = QLocale::c();
    m_l1->setText(c.toString(o.l1, 'g', 8));
    m_l2->setText(c.toString(o.l2, 'g', 8));
    m_lr->setText(c.toString(o.learningRate, 'g', 8));
    m_epochs->setValue(o.epochs);
    m_batch->setCurrentText(QString::number(o.batchSize));
    m_seed->setText(QString::number(o.seed));
    m_shuffle->setChecked(o.shuffle);
    m_standardize->setChecked(o.standardize);
    m_neurox->setChecked(o.neuroxCompatible);
}

} // namespace salient::ui
