#include "layertabledelegate.h"

#include "layertablemodel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSortFilterProxyModel>

LayerTableDelegate::LayerTableDelegate(LayerTableModel *model, QSortFilterProxyModel *proxy, QObject *parent)
    : QStyledItemDelegate(parent), m_model(model), m_proxy(proxy)
{
}

QWidget *LayerTableDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                          const QModelIndex &index) const
{
    if (index.column() == LayerTableModel::Ratio) {
        auto *spin = new QDoubleSpinBox(parent);
        spin->setRange(0.0, 0.99);
        spin->setSingleStep(0.05);
        spin->setDecimals(4);
        return spin;
    }
    if (index.column() == LayerTableModel::Groups) {
        auto *combo = new QComboBox(parent);
        const int layer = m_proxy->mapToSource(index).row();
        for (int g : m_model->feasibleGroups(layer))
            combo->addItem(g == 0 ? tr("auto") : QString::number(g), g);
        return combo;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void LayerTableDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor)) {
        spin->setValue(index.data(Qt::EditRole).toDouble());
    } else if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        const int i = combo->findData(index.data(Qt::EditRole).toInt());
        combo->setCurrentIndex(i >= 0 ? i : 0);
    } else {
        QStyledItemDelegate::setEditorData(editor, index);
    }
}

void LayerTableDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(editor))
        model->setData(index, spin->value(), Qt::EditRole);
    else if (auto *combo = qobject_cast<QComboBox *>(editor))
        model->setData(index, combo->currentData(), Qt::EditRole);
    else
        QStyledItemDelegate::setModelData(editor, model, index);
}
