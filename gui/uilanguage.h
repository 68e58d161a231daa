#pragma once

#include <QList>
#include <QLocale>
#include <QString>

// The user-interface language: the system locale unless View ▸ Language overrides it. The
// override is a language code saved in QSettings ("" = follow the system); the application's
// translations are embedded as resources (:/i18n/gkp_studio_<code>.qm), Qt's own come from
// Qt's translations folder (Debian: qt6-translations-l10n).
class UiLanguage
{
public:
    struct Choice
    {
        QString code;  // "" = the system locale
        QString label; // the language's own name ("Deutsch"), never translated
    };

    static QList<Choice> choices();     // System, English, Deutsch, 简体中文
    static QString saved();             // the saved override, "" when none
    static void save(const QString &code);
    static QLocale localeFor(const QString &code);

    // Installs the application's and Qt's translators for `code` (replacing earlier ones) and
    // makes its locale the default. Returns whether the application's own translation loaded
    // (false for English, which is the source language).
    static bool install(const QString &code);
};
