#pragma once

#include <QMainWindow>

class ClusterScatterView;
class ControlsPanel;
class QDockWidget;
class KernelHeatmapView;
class ModelSummaryView;
class Document;
class LayerTableModel;
class QMenu;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    Document *document() const { return m_document; }
    QTableView *layerView() const { return m_layerView; }
    ControlsPanel *controls() const { return m_controls; }
    ModelSummaryView *summary() const { return m_summary; }
    ClusterScatterView *clusterView() const { return m_clusterView; }
    KernelHeatmapView *heatmap() const { return m_heatmap; }
    void openModel(const QString &path);
    // Loads a plan file into the document (undoable); a bad one is reported and changes nothing.
    void loadPlanFile(const QString &path);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createDocks();
    void createLanguageMenu();
    void setDefaultDockSizes();
    void openDialog();
    void openWithShapeDialog();
    void loadPlanDialog();
    void savePlanDialog();
    void exportDialog();
    void onModelChanged();
    void onLoadFailed(const QString &path, const QString &message);
    void onSelectionChanged();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void showError(const QString &title, const QString &message);

    Document *m_document;
    LayerTableModel *m_layerModel;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_layerView;
    ControlsPanel *m_controls;
    ModelSummaryView *m_summary;
    ClusterScatterView *m_clusterView = nullptr;
    KernelHeatmapView *m_heatmap = nullptr;
    QDockWidget *m_heatmapDock = nullptr;
    QDockWidget *m_clusterDock = nullptr;
    QDockWidget *m_summaryDock = nullptr;
    QProgressBar *m_busy;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
};
