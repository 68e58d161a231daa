<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- A deliberately broken translation: a translation that drops a placeholder (translations.catches_placeholder). -->
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Layer %1 of %2</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>Old string</source>
        <translation type="vanished">Alte Zeichenkette</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s)</source>
        <translation>
            <numerusform>%n Schicht</numerusform>
            <numerusform>%n Schichten</numerusform>
        </translation>
    </message>
</context>
</TS>
