#pragma once

#include <QMainWindow>

class Document;
class LayerTableModel;
class QLabel;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    Document *document() const { return m_document; }
    QTableView *layerView() const { return m_layerView; }
    void openModel(const QString &path);

private:
    void createActions();
    void openDialog();
    void openWithShapeDialog();
    void onModelChanged();
    void onLoadFailed(const QString &path, const QString &message);
    void onSelectionChanged();
    void updateSummary();

    Document *m_document;
    LayerTableModel *m_layerModel;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_layerView;
    QLabel *m_summary;
    QProgressBar *m_busy;
};
