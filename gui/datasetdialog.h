#pragma once

#include <QDialog>
#include <QString>

class QLineEdit;
class QSpinBox;

// What data an analysis runs on: a dataset SPEC (docs/datasets.md), how many of its images to
// evaluate, and how many training images re-estimate BatchNorm statistics after pruning.
struct DatasetChoice
{
    QString spec;
    int limit = 2000;        // evaluation images (0: all)
    int recalibration = 0;   // BatchNorm recalibration images (0: none)
    QString calibrationSpec; // empty: the training split of spec

    // Debian's Fashion-MNIST when installed (what the bundled demo model was trained on).
    static DatasetChoice defaultFor(const QString &modelPath);
    QString summary() const;
};

class DatasetDialog : public QDialog
{
    Q_OBJECT

public:
    explicit DatasetDialog(const DatasetChoice &choice, QWidget *parent = nullptr);
    DatasetChoice choice() const;

private:
    void browseFolder();

    QLineEdit *m_spec;
    QSpinBox *m_limit;
    QSpinBox *m_recalibration;
    QLineEdit *m_calibration;
};
