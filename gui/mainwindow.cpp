#include "mainwindow.h"

#include "clusterscatterview.h"
#include "analysiswindow.h"
#include "controlspanel.h"
#include "document.h"
#include "util/error.h"
#include "exportdialog.h"
#include "finetunedialog.h"
#include "granularityview.h"
#include "kernelheatmapview.h"
#include "layertabledelegate.h"
#include "layertablemodel.h"
#include "modelsummaryview.h"
#include "uilanguage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QUndoStack>

#include <algorithm>

namespace {
const QString ModelFilter = QStringLiteral("*.pt *.pth *.ptl *.onnx");
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_document(new Document(this)), m_layerModel(new LayerTableModel(m_document, this)),
      m_proxy(new QSortFilterProxyModel(this)), m_layerView(new QTableView), m_controls(new ControlsPanel(m_document)),
      m_summary(new ModelSummaryView(m_document)), m_busy(new QProgressBar)
{
    setWindowTitle(tr("GKP Studio"));
    setAcceptDrops(true);
    m_proxy->setSourceModel(m_layerModel);
    m_proxy->setSortRole(LayerTableModel::SortRole);
    m_layerView->setModel(m_proxy);
    m_layerView->setItemDelegate(new LayerTableDelegate(m_layerModel, m_proxy, this));
    m_layerView->setSortingEnabled(true);
    m_layerView->sortByColumn(LayerTableModel::Index, Qt::AscendingOrder);
    m_layerView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layerView->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_layerView->verticalHeader()->hide();
    m_layerView->verticalHeader()->setDefaultSectionSize(m_layerView->fontMetrics().height() + 8);
    m_layerView->horizontalHeader()->setStretchLastSection(true);
    m_layerView->setAlternatingRowColors(true);
    m_layerView->setObjectName(QStringLiteral("layerTable"));
    setCentralWidget(m_layerView);

    m_summary->setObjectName(QStringLiteral("modelSummary"));

    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);

    createActions();
    createDocks();
    createLanguageMenu();
    connect(m_document, &Document::loadStarted, this, [this](const QString &path) {
        m_busy->show();
        statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    });
    connect(m_document, &Document::modelChanged, this, &MainWindow::onModelChanged);
    connect(m_document, &Document::loadFailed, this, &MainWindow::onLoadFailed);
    connect(m_document, &Document::planChanged, this, [this] {
        for (int c = LayerTableModel::Ratio; c < LayerTableModel::ColumnCount; ++c)
            m_layerView->resizeColumnToContents(c);
    });
    connect(m_document, &Document::planningFailed, this,
            [this](const QString &message) { statusBar()->showMessage(tr("Planning failed: %1").arg(message)); });
    connect(m_layerView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onSelectionChanged);
    connect(m_document, &Document::selectedLayerChanged, this, [this](int layer) {
        if (layer < 0)
            return;
        const QModelIndex idx = m_proxy->mapFromSource(m_layerModel->index(layer, 0));
        if (!m_layerView->selectionModel()->isRowSelected(idx.row(), {})) {
            m_layerView->selectRow(idx.row());
            m_layerView->scrollTo(idx);
        }
    });

    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainwindow/geometry")).toByteArray()))
        resize(1400, 860);
    setDefaultDockSizes();
    restoreState(settings.value(QStringLiteral("mainwindow/state")).toByteArray()); // a remembered layout wins
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainwindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainwindow/state"), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Model…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open Model with Input &Shape…"), this, &MainWindow::openWithShapeDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    updateRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Load Plan…"), this, &MainWindow::loadPlanDialog);
    QAction *save = file->addAction(tr("&Save Plan…"), this, &MainWindow::savePlanDialog);
    save->setShortcut(QKeySequence::Save);
    QAction *exp = file->addAction(tr("&Export Pruned Model…"), this, &MainWindow::exportDialog);
    exp->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    QAction *undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);

    m_viewMenu = menuBar()->addMenu(tr("&View"));

    QMenu *analysis = menuBar()->addMenu(tr("&Analysis"));
    analysis->addAction(tr("&Sensitivity and Granularity Comparison…"), this, [this] {
        auto *w = new AnalysisWindow(m_document, this);
        w->setAttribute(Qt::WA_DeleteOnClose);
        w->show();
    });
    analysis->addAction(tr("&Fine-tune Trainable Export…"), this, [this] {
        auto *d = new FinetuneDialog(this);
        d->setAttribute(Qt::WA_DeleteOnClose);
        d->show();
    });
}

void MainWindow::createDocks()
{
    auto addDock = [this](QWidget *widget, const QString &title, const QString &name, Qt::DockWidgetArea area) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name); // saveState needs names
        dock->setWidget(widget);
        addDockWidget(area, dock);
        m_viewMenu->addAction(dock->toggleViewAction());
        return dock;
    };
    auto *controlsScroll = new QScrollArea;
    controlsScroll->setWidget(m_controls);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setMinimumWidth(340);
    addDock(controlsScroll, tr("Controls"), QStringLiteral("controlsDock"), Qt::LeftDockWidgetArea);
    m_heatmap = new KernelHeatmapView(m_document);
    m_heatmap->setObjectName(QStringLiteral("kernelHeatmap"));
    m_heatmap->setMinimumSize(420, 260);
    QDockWidget *heatmapDock =
        addDock(m_heatmap, tr("Kernel Heatmap"), QStringLiteral("heatmapDock"), Qt::RightDockWidgetArea);
    m_clusterView = new ClusterScatterView(m_document);
    m_clusterView->setObjectName(QStringLiteral("clusterScatter"));
    m_clusterView->setMinimumSize(420, 240);
    QDockWidget *clusterDock =
        addDock(m_clusterView, tr("Filter Clusters"), QStringLiteral("clusterDock"), Qt::RightDockWidgetArea);
    splitDockWidget(heatmapDock, clusterDock, Qt::Vertical);
    // The right-hand column (heatmap over clusters) takes the window's full height, the model
    // summary runs below the controls and the table only: two stacked plots under a summary as wide
    // as the window were too short for their axis and colour-scale labels.
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    m_summary->setMinimumSize(480, 200);
    QDockWidget *summaryDock =
        addDock(m_summary, tr("Model Summary"), QStringLiteral("summaryDock"), Qt::BottomDockWidgetArea);
    auto *granularity = new GranularityView(m_document);
    granularity->setObjectName(QStringLiteral("granularityView"));
    QDockWidget *granularityDock =
        addDock(granularity, tr("Pruning Granularity"), QStringLiteral("granularityDock"), Qt::BottomDockWidgetArea);
    granularityDock->hide(); // View menu; computes only while visible
    m_heatmapDock = heatmapDock;
    m_clusterDock = clusterDock;
    m_summaryDock = summaryDock;
}

void MainWindow::setDefaultDockSizes()
{
    // Shares of the window's current size; restoreState() replaces them with a remembered layout.
    const int h = height(), w = width();
    resizeDocks({m_heatmapDock, m_clusterDock}, {h * 52 / 100, h * 48 / 100}, Qt::Vertical);
    resizeDocks({m_heatmapDock}, {std::max(460, w * 32 / 100)}, Qt::Horizontal);
    resizeDocks({m_summaryDock}, {std::max(230, h * 28 / 100)}, Qt::Vertical);
}

void MainWindow::createLanguageMenu()
{
    m_viewMenu->addSeparator();
    QMenu *menu = m_viewMenu->addMenu(tr("&Language"));
    menu->setObjectName(QStringLiteral("languageMenu"));
    auto *group = new QActionGroup(menu);
    const QString current = UiLanguage::saved();
    for (const UiLanguage::Choice &choice : UiLanguage::choices()) {
        QAction *action = menu->addAction(choice.label);
        action->setCheckable(true);
        action->setChecked(choice.code == current);
        action->setData(choice.code);
        group->addAction(action);
    }
    connect(group, &QActionGroup::triggered, this, [this](QAction *action) {
        const QString code = action->data().toString();
        if (code == UiLanguage::saved())
            return;
        UiLanguage::save(code);
        // Every widget sets its texts once; the new language shows from the next start on.
        auto *box = new QMessageBox(QMessageBox::Information, tr("Language"),
                                    tr("GKP Studio will use %1 the next time it starts.").arg(action->text()),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("languageBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::openModel(const QString &path)
{
    m_document->openModel(path);
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), QString(),
                                                      tr("TorchScript and ONNX models (%1);;All files (*)").arg(ModelFilter));
    if (!path.isEmpty())
        m_document->openModel(path);
}

void MainWindow::openWithShapeDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Model"), QString(),
                                                      tr("TorchScript and ONNX models (%1);;All files (*)").arg(ModelFilter));
    if (path.isEmpty())
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Input Shape"), tr("Example input shape (N,C,H,W):"),
                                               QLineEdit::Normal, QStringLiteral("1,3,224,224"), &ok);
    if (!ok)
        return;
    try {
        m_document->openModel(path, gkp::parseShape(text.toStdString()));
    } catch (const std::exception &e) {
        showError(tr("Invalid Input Shape"), QString::fromStdString(e.what()));
    }
}

void MainWindow::loadPlanDialog()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load Plan"), QString(), tr("GKP plans (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadPlanFile(path);
}

void MainWindow::loadPlanFile(const QString &path)
{
    try {
        m_document->loadPlan(path);
    } catch (const std::exception &e) {
        showError(tr("Cannot Load Plan"), QString::fromStdString(e.what()));
    }
}

void MainWindow::savePlanDialog()
{
    if (!m_document->model())
        return;
    const QFileInfo fi(m_document->modelPath());
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Plan"), fi.absolutePath() + u'/' + fi.completeBaseName() + QStringLiteral("-plan.json"),
        tr("GKP plans (*.json)"));
    if (path.isEmpty())
        return;
    try {
        m_document->savePlan(path);
        statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    } catch (const std::exception &e) {
        showError(tr("Cannot Save Plan"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportDialog()
{
    if (!m_document->model())
        return;
    auto *dialog = new ExportDialog(m_document, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    const QString path = urls.first().toLocalFile();
    if (path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive)) {
        try {
            m_document->loadPlan(path);
        } catch (const std::exception &e) {
            showError(tr("Cannot Load Plan"), QString::fromStdString(e.what()));
        }
    } else {
        m_document->openModel(path);
    }
    event->acceptProposedAction();
}

void MainWindow::onModelChanged()
{
    m_busy->hide();
    const QString path = m_document->modelPath();
    setWindowTitle(tr("%1 — GKP Studio").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("Loaded %1").arg(path), 5000);
    m_layerView->resizeColumnsToContents();
    addRecentFile(path);
}

void MainWindow::showError(const QString &title, const QString &message)
{
    // Window-modal but not blocking: the UI keeps running (and tests can inspect the box).
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onLoadFailed(const QString &path, const QString &message)
{
    m_busy->hide();
    statusBar()->clearMessage();
    showError(tr("Cannot Open Model"), message);
}

void MainWindow::onSelectionChanged()
{
    const QModelIndexList rows = m_layerView->selectionModel()->selectedRows();
    if (!rows.isEmpty())
        m_document->setSelectedLayer(m_proxy->mapToSource(rows.first()).row());
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 8)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent)
        m_recentMenu->addAction(QFileInfo(path).fileName(), this, [this, path] { m_document->openModel(path); })
            ->setToolTip(path);
    m_recentMenu->setEnabled(!recent.isEmpty());
}
