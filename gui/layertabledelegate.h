#pragma once

#include <QStyledItemDelegate>

class LayerTableModel;
class QSortFilterProxyModel;

// Editors for the layer table: a spin box for the ratio, a combo box of feasible G values.
class LayerTableDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    LayerTableDelegate(LayerTableModel *model, QSortFilterProxyModel *proxy, QObject *parent = nullptr);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    LayerTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
};
