#include "uilanguage.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QPointer>
#include <QSettings>
#include <QTranslator>

namespace {
const QString SettingsKey = QStringLiteral("ui/language");

// Both translators are owned by the application; installing again replaces them.
QPointer<QTranslator> appTranslator;
QPointer<QTranslator> qtTranslator;

QTranslator *load(const QLocale &locale, const QString &name, const QString &folder)
{
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (translator->load(locale, name, QStringLiteral("_"), folder) && QCoreApplication::installTranslator(translator))
        return translator;
    delete translator;
    return nullptr;
}
} // namespace

QList<UiLanguage::Choice> UiLanguage::choices()
{
    return {{QString(), QCoreApplication::translate("UiLanguage", "System (%1)")
                            .arg(QLocale::system().nativeLanguageName())},
            {QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("de"), QStringLiteral("Deutsch")},
            {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
}

QString UiLanguage::saved()
{
    const QString code = QSettings().value(SettingsKey).toString();
    for (const Choice &c : choices())
        if (c.code == code)
            return code;
    return {}; // unknown values (an edited settings file) fall back to the system language
}

void UiLanguage::save(const QString &code)
{
    QSettings().setValue(SettingsKey, code);
}

QLocale UiLanguage::localeFor(const QString &code)
{
    return code.isEmpty() ? QLocale::system() : QLocale(code);
}

bool UiLanguage::install(const QString &code)
{
    for (QPointer<QTranslator> *t : {&appTranslator, &qtTranslator})
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete t->data();
        }
    const QLocale locale = localeFor(code);
    QLocale::setDefault(locale);
    appTranslator = load(locale, QStringLiteral("gkp_studio"), QStringLiteral(":/i18n"));
    qtTranslator = load(locale, QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    return appTranslator != nullptr;
}
