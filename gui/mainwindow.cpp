#include "mainwindow.h"

#include "document.h"
#include "layertablemodel.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_document(new Document(this)), m_layerModel(new LayerTableModel(m_document, this)),
      m_proxy(new QSortFilterProxyModel(this)), m_layerView(new QTableView), m_summary(new QLabel),
      m_busy(new QProgressBar)
{
    setWindowTitle(tr("GKP Studio"));
    m_proxy->setSourceModel(m_layerModel);
    m_proxy->setSortRole(LayerTableModel::SortRole);
    m_layerView->setModel(m_proxy);
    m_layerView->setSortingEnabled(true);
    m_layerView->sortByColumn(LayerTableModel::Index, Qt::AscendingOrder);
    m_layerView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_layerView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_layerView->verticalHeader()->hide();
    m_layerView->horizontalHeader()->setStretchLastSection(true);
    m_layerView->setAlternatingRowColors(true);
    m_layerView->setObjectName(QStringLiteral("layerTable"));

    m_summary->setWordWrap(true);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_summary->setMargin(8);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setMinimumWidth(240);

    auto *splitter = new QSplitter;
    splitter->addWidget(m_layerView);
    splitter->addWidget(m_summary);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);

    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(160);
    m_busy->hide();
    statusBar()->addPermanentWidget(m_busy);

    createActions();
    connect(m_document, &Document::loadStarted, this, [this](const QString &path) {
        m_busy->show();
        statusBar()->showMessage(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    });
    connect(m_document, &Document::modelChanged, this, &MainWindow::onModelChanged);
    connect(m_document, &Document::loadFailed, this, &MainWindow::onLoadFailed);
    connect(m_layerView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::onSelectionChanged);
    connect(m_document, &Document::selectedLayerChanged, this, [this](int layer) {
        if (layer < 0)
            return;
        const QModelIndex idx = m_proxy->mapFromSource(m_layerModel->index(layer, 0));
        if (!m_layerView->selectionModel()->isRowSelected(idx.row(), {}))
            m_layerView->selectRow(idx.row());
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("mainwindow/geometry")).toByteArray());
    if (!settings.contains(QStringLiteral("mainwindow/geometry")))
        resize(1200, 760);
    updateSummary();
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open Model…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open Model with Input &Shape…"), this, &MainWindow::openWithShapeDialog);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::openModel(const QString &path)
{
    m_document->openModel(path);
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open TorchScript Model"), QString(),
                                                      tr("TorchScript models (*.pt *.pth *.ptl);;All files (*)"));
    if (!path.isEmpty())
        m_document->openModel(path);
}

void MainWindow::openWithShapeDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open TorchScript Model"), QString(),
                                                      tr("TorchScript models (*.pt *.pth *.ptl);;All files (*)"));
    if (path.isEmpty())
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(this, tr("Input Shape"),
                                               tr("Example input shape (N,C,H,W):"), QLineEdit::Normal,
                                               QStringLiteral("1,3,224,224"), &ok);
    if (!ok)
        return;
    try {
        m_document->openModel(path, gkp::parseShape(text.toStdString()));
    } catch (const std::exception &e) {
        QMessageBox::warning(this, tr("Invalid Input Shape"), QString::fromStdString(e.what()));
    }
}

void MainWindow::onModelChanged()
{
    m_busy->hide();
    const QString path = m_document->modelPath();
    setWindowTitle(tr("%1 — GKP Studio").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(tr("Loaded %1").arg(path), 5000);
    m_layerView->resizeColumnsToContents();
    updateSummary();
}

void MainWindow::onLoadFailed(const QString &path, const QString &message)
{
    m_busy->hide();
    statusBar()->clearMessage();
    // Window-modal but not blocking: the UI keeps running (and tests can inspect the box).
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot Open Model"), message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("loadErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onSelectionChanged()
{
    const QModelIndexList rows = m_layerView->selectionModel()->selectedRows();
    if (!rows.isEmpty())
        m_document->setSelectedLayer(m_proxy->mapToSource(rows.first()).row());
}

void MainWindow::updateSummary()
{
    const gkp::Model *model = m_document->model();
    if (!model) {
        m_summary->setText(tr("<h3>No model</h3><p>Open a TorchScript model (<b>File ▸ Open Model</b>) "
                              "exported with <code>torch.jit.script</code> or <code>torch.jit.trace</code>.</p>"));
        return;
    }
    const gkp::Inventory &inv = model->inventory();
    QString html = tr("<h3>%1</h3>").arg(QFileInfo(QString::fromStdString(model->path())).fileName().toHtmlEscaped());
    html += tr("<p>Input %1 (%2)</p>")
                .arg(QString::fromStdString(gkp::formatShape(inv.input_shape, 'x')),
                     QString::fromStdString(inv.input_shape_source));
    html += tr("<table cellspacing=4>"
               "<tr><td>Convolutions</td><td align=right>%1</td></tr>"
               "<tr><td>Prunable</td><td align=right>%2</td></tr>"
               "<tr><td>Conv MACs / image</td><td align=right>%3</td></tr>"
               "<tr><td>Parameters</td><td align=right>%4</td></tr></table>")
                .arg(inv.totals.convs)
                .arg(inv.totals.prunable)
                .arg(humanCount(double(inv.totals.conv_macs)), humanCount(double(inv.totals.params)));
    for (const std::string &note : inv.notes)
        html += tr("<p><i>Note: %1</i></p>").arg(QString::fromStdString(note).toHtmlEscaped());
    m_summary->setText(html);
}
