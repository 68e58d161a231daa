#include "layertablemodel.h"

#include "document.h"

#include <QBrush>
#include <QPalette>

QString humanCount(double value)
{
    const char *suffix[] = {"", "K", "M", "G", "T"};
    int i = 0;
    while (value >= 1000.0 && i < 4) {
        value /= 1000.0;
        ++i;
    }
    return i == 0 ? QString::number(value, 'f', 0) : QString::number(value, 'f', 2) + QLatin1String(suffix[i]);
}

namespace {
QString dims(const gkp::Shape &s, QChar sep = u'x')
{
    QStringList parts;
    for (int64_t d : s)
        parts << QString::number(d);
    return parts.join(sep);
}
} // namespace

LayerTableModel::LayerTableModel(Document *document, QObject *parent)
    : QAbstractTableModel(parent), m_document(document)
{
    connect(document, &Document::modelChanged, this, [this] {
        beginResetModel();
        endResetModel();
    });
}

int LayerTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_document->model())
        return 0;
    return int(m_document->model()->inventory().layers.size());
}

int LayerTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_document->model())
        return {};
    const gkp::ConvLayer &l = m_document->model()->inventory().layers.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Index: return l.index;
        case Name: return QString::fromStdString(l.name);
        case Type: return QString::fromStdString(gkp::toString(l.kind));
        case Shape:
            return tr("%1→%2, %3").arg(l.in_channels).arg(l.out_channels).arg(dims(l.kernel)) +
                   (l.groups > 1 ? tr(", g=%1").arg(l.groups) : QString()) +
                   (l.stride != gkp::Shape(l.stride.size(), 1) ? tr(", s=%1").arg(dims(l.stride)) : QString());
        case Output: return dims(l.output_shape);
        case Params: return humanCount(double(l.params));
        case Macs: return humanCount(double(l.macs));
        case Prunable:
            if (!l.prunable)
                return tr("no: %1").arg(QString::fromStdString(l.reason));
            return l.excluded_by_default ? tr("yes (stem, excluded)") : tr("yes");
        }
    } else if (role == SortRole) {
        switch (index.column()) {
        case Params: return qlonglong(l.params);
        case Macs: return qlonglong(l.macs);
        case Index: return l.index;
        default: return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Index || index.column() == Params || index.column() == Macs)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ForegroundRole && !l.prunable) {
        return QPalette().brush(QPalette::Disabled, QPalette::Text);
    } else if (role == Qt::ToolTipRole) {
        return tr("%1\ninput %2 → output %3\n%4 parameters, %5 MACs per image")
            .arg(QString::fromStdString(l.name), dims(l.input_shape), dims(l.output_shape))
            .arg(l.params)
            .arg(l.macs);
    }
    return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Index: return tr("#");
    case Name: return tr("Layer");
    case Type: return tr("Type");
    case Shape: return tr("Shape");
    case Output: return tr("Output");
    case Params: return tr("Params");
    case Macs: return tr("MACs");
    case Prunable: return tr("Prunable");
    }
    return {};
}
