#include "datasetdialog.h"

#include "data/datasetspec.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

DatasetChoice DatasetChoice::defaultFor(const QString &modelPath)
{
    Q_UNUSED(modelPath); // every model gets the installed Fashion-MNIST suggested; the user edits it
    DatasetChoice c;
    if (QDir(QString::fromLatin1(gkp::InstalledFashionMnistDir)).exists())
        c.spec = QStringLiteral("fashion-mnist");
    return c;
}

QString DatasetChoice::summary() const
{
    if (spec.isEmpty())
        return QObject::tr("no dataset chosen");
    QString s = spec + QStringLiteral(", ") +
                (limit > 0 ? QObject::tr("first %1 images").arg(limit) : QObject::tr("all images"));
    s += recalibration > 0 ? QObject::tr(", BatchNorm recalibrated on %1 training images").arg(recalibration)
                           : QObject::tr(", BatchNorm statistics as stored");
    return s;
}

DatasetDialog::DatasetDialog(const DatasetChoice &choice, QWidget *parent)
    : QDialog(parent), m_spec(new QLineEdit(choice.spec)), m_limit(new QSpinBox), m_recalibration(new QSpinBox),
      m_calibration(new QLineEdit(choice.calibrationSpec))
{
    setWindowTitle(tr("Dataset"));
    m_spec->setPlaceholderText(QStringLiteral("fashion-mnist, cifar10:DIR, folder:DIR,size=32x32 …"));
    m_spec->setToolTip(tr("Dataset SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, "
                          "cifar10:FILE_OR_DIR, cifar100:FILE_OR_DIR, folder:DIR, with options ,size=HxW "
                          ",channels=N ,mean=a/b/c ,std=a/b/c"));
    m_limit->setRange(0, 10000000);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setValue(choice.limit);
    m_recalibration->setRange(0, 1000000);
    m_recalibration->setSpecialValueText(tr("off"));
    m_recalibration->setValue(choice.recalibration);
    m_calibration->setPlaceholderText(tr("the training split of the dataset"));
    auto *browse = new QPushButton(tr("Folder…"));
    auto *specRow = new QHBoxLayout;
    specRow->addWidget(m_spec, 1);
    specRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("Dataset"), specRow);
    form->addRow(tr("Evaluate on"), m_limit);
    form->addRow(tr("Recalibrate BatchNorm on"), m_recalibration);
    form->addRow(tr("Recalibration data"), m_calibration);
    auto *hint = new QLabel(tr("Evaluation uses the first N images. Recalibration re-estimates BatchNorm statistics "
                               "of every pruned variant on N training images (weights unchanged)."));
    hint->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    setMinimumWidth(480);
    connect(browse, &QPushButton::clicked, this, &DatasetDialog::browseFolder);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

DatasetChoice DatasetDialog::choice() const
{
    DatasetChoice c;
    c.spec = m_spec->text().trimmed();
    c.limit = m_limit->value();
    c.recalibration = m_recalibration->value();
    c.calibrationSpec = m_calibration->text().trimmed();
    return c;
}

void DatasetDialog::browseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Image folder (one subfolder per class)"));
    if (!dir.isEmpty())
        m_spec->setText(QStringLiteral("folder:") + dir);
}
