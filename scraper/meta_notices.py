"""The notices Facebook and Instagram write as messages, in the languages we read.

Meta writes its notices ("Romeo named the group …") as ordinary messages in the
language of the account that downloaded them. Each language lists:

- `notices`: sentences Meta writes on its own (a message opening with one is a
  notice);
- `you`: the words a notice about the account's owner opens with ("You", "Du"),
  followed by one of the `actions`;
- `actions`: regexes of what follows a person's name in a notice about them,
  anchored on that name so people's own sentences stay out of the net;
- `own`: regexes of the owner's notices in languages that drop the pronoun
  ("Enviaste una foto."), matched from the start. Each opens with a plain word,
  which the hot path uses to skip the check on every other message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Language:
    """What Meta's notices look like in one language."""

    notices: tuple[str, ...]
    you: tuple[str, ...]
    actions: tuple[str, ...]
    own: tuple[str, ...] = ()


_MEDIA_EN = (
    r"an? (?:attachment|photo|link|GIF|sticker|video|voice message|live location)"
)
ENGLISH = Language(
    notices=(
        "You are now connected on Messenger",
        "You can now message and call each other",
        "You're now friends on Facebook",
        "Say hi to your new Facebook friend",
        "Messages and calls are secured with end-to-end encryption",
        "Messages and calls are end-to-end encrypted",
        "This message was unsent",
        # Instagram's, written without the sender's name.
        "Liked a message",
        "Mentioned you in their story",
        "Video chat ended",
        "Audio call ended",
    ),
    you=("You",),
    actions=(
        r"(?:set|cleared) (?:the|your|his own|her own|their own) nickname",
        r"(?:named|renamed) the group|removed the group name",
        r"changed the (?:group photo|group name|chat theme|theme|emoji|chat emoji"
        r"|quick reaction|word effect)",
        r"set the (?:quick reaction|emoji|theme)",
        r"added .+ to the group\.?$",
        r"removed .+ from the group\.?$",
        r"(?:left|created) the group",
        r"started (?:a video chat|a call|an audio call|a video call|sharing video)",
        r"joined the (?:video chat|call|video call)",
        r"missed (?:a|your|an) (?:call|video chat|audio call|video call)",
        r"called you",
        rf"sent {_MEDIA_EN}\.?$",
        r"waved (?:at|hello)",
        r"pinned a message|unsent a message",
        r"turned (?:on|off) disappearing messages",
        r"reacted .+ to (?:your|a|their|his|her) message",
        r"shared a location",
    ),
    own=(r"Reacted .+ to your message",),
)

_MEDIA_ES = (
    r"(?:un archivo adjunto|una foto|un enlace|un GIF|un sticker|un video"
    r"|un mensaje de voz)"
)
SPANISH = Language(
    notices=(
        "Ahora están conectados en Messenger",
        "Ahora pueden enviarse mensajes y llamarse",
        "Ahora son amigos en Facebook",
        "Saluda a tu nuevo amigo de Facebook",
        "Los mensajes y las llamadas están protegidos con cifrado de extremo a "
        "extremo",
        "Se anuló el envío de este mensaje",
        "Le gustó un mensaje",
    ),
    you=(),
    actions=(
        r"(?:le )?puso el nombre .+ al grupo|cambió el nombre del grupo"
        r"|eliminó el nombre del grupo",
        r"(?:estableció|borró) (?:su apodo|el apodo de)",
        r"cambió (?:la foto del grupo|el tema|el emoji|la reacción rápida)",
        r"(?:agregó|añadió) a .+ al grupo\.?$",
        r"eliminó a .+ del grupo\.?$",
        r"(?:salió del|creó el) grupo",
        r"inició una (?:videollamada|llamada)",
        r"se unió a la (?:videollamada|llamada)",
        r"perdió una (?:llamada|videollamada)|te llamó",
        rf"envió {_MEDIA_ES}\.?$",
        r"te saludó|fijó un mensaje|anuló el envío de un mensaje",
        r"reaccionó con .+ a (?:tu|un|su) mensaje",
    ),
    own=(
        r"Le pusiste el nombre .+ al grupo",
        r"Cambiaste (?:el nombre del grupo|la foto del grupo|el tema|el emoji)",
        r"Estableciste (?:tu apodo|el apodo de)",
        r"Agregaste a .+ al grupo\.?$",
        r"Añadiste a .+ al grupo\.?$",
        r"Eliminaste a .+ del grupo\.?$",
        r"Saliste del grupo",
        r"Creaste el grupo",
        r"Iniciaste una (?:videollamada|llamada)",
        rf"Enviaste {_MEDIA_ES}\.?$",
        r"Anulaste el envío de un mensaje",
        r"Fijaste un mensaje",
        r"Reaccionaste con .+ a (?:un|su|tu) mensaje",
    ),
)

_MEDIA_FR = (
    r"(?:une pièce jointe|une photo|un lien|un GIF|un autocollant|une vidéo"
    r"|un message vocal)"
)
FRENCH = Language(
    notices=(
        "Vous êtes maintenant connectés sur Messenger",
        "Vous pouvez maintenant vous envoyer des messages et vous appeler",
        "Vous êtes désormais amis sur Facebook",
        "Les messages et les appels sont sécurisés avec le chiffrement de bout en "
        "bout",
        "Ce message a été retiré",
    ),
    you=("Vous",),
    actions=(
        r"(?:a|avez) (?:nommé le groupe|changé le nom du groupe"
        r"|supprimé le nom du groupe)",
        r"(?:a|avez) (?:défini|effacé) (?:son|votre|le) (?:propre )?pseudo",
        r"(?:a|avez) changé (?:la photo du groupe|le thème|l['’]emoji"
        r"|la réaction rapide)",
        r"(?:a|avez) ajouté .+ au groupe\.?$",
        r"(?:a|avez) retiré .+ du groupe\.?$",
        r"(?:a|avez) (?:quitté|créé) le groupe",
        r"(?:a|avez) (?:lancé|manqué) un appel(?: vidéo| audio)?",
        r"(?:a|avez) rejoint l['’]appel",
        r"vous a (?:appelé|fait signe)",
        rf"(?:a|avez) envoyé {_MEDIA_FR}\.?$",
        r"(?:a|avez) (?:épinglé|retiré) un message",
        r"(?:a|avez) réagi (?:par|avec) .+ à (?:votre|un|son) message",
    ),
)

_MEDIA_DE = (
    r"(?:einen Anhang|ein Foto|einen Link|ein GIF|einen Sticker|ein Video"
    r"|eine Sprachnachricht)"
)
GERMAN = Language(
    notices=(
        "Ihr seid jetzt auf Messenger verbunden",
        "Ihr könnt euch jetzt Nachrichten senden und euch anrufen",
        "Ihr seid jetzt Freunde auf Facebook",
        "Nachrichten und Anrufe sind mit Ende-zu-Ende-Verschlüsselung geschützt",
        "Diese Nachricht wurde zurückgezogen",
    ),
    you=("Du",),
    actions=(
        r"(?:hat|hast) (?:die Gruppe .+ genannt|den Gruppennamen)",
        r"(?:hat|hast) (?:den eigenen|deinen|seinen|ihren|den) Spitznamen",
        r"(?:hat|hast) (?:das Gruppenbild|das Thema|das Emoji|die Schnellreaktion) "
        r"geändert",
        r"(?:hat|hast) .+ zur Gruppe hinzugefügt\.?$",
        r"(?:hat|hast) .+ aus der Gruppe entfernt\.?$",
        r"(?:hat|hast) die Gruppe (?:verlassen|erstellt)",
        r"(?:hat|hast) einen (?:Videochat|Anruf|Videoanruf|Audioanruf) "
        r"(?:gestartet|verpasst)",
        r"(?:ist|bist) dem (?:Videochat|Anruf|Videoanruf) beigetreten",
        r"hat dich angerufen|hat dir zugewinkt",
        rf"(?:hat|hast) {_MEDIA_DE} gesendet\.?$",
        r"(?:hat|hast) eine Nachricht (?:angepinnt|zurückgezogen)",
        r"(?:hat|hast) mit .+ auf (?:deine|eine|seine|ihre) Nachricht reagiert",
    ),
)

_MEDIA_PT = (
    r"(?:um anexo|uma foto|um link|um GIF|uma figurinha|um vídeo"
    r"|uma mensagem de voz)"
)
PORTUGUESE = Language(
    notices=(
        "Agora vocês estão conectados no Messenger",
        "Agora vocês podem trocar mensagens e ligar um para o outro",
        "Agora vocês são amigos no Facebook",
        "As mensagens e as ligações são protegidas com a criptografia de ponta a "
        "ponta",
        "O envio desta mensagem foi cancelado",
    ),
    you=("Você",),
    actions=(
        r"deu o nome .+ ao grupo|alterou o nome do grupo|removeu o nome do grupo",
        r"(?:definiu|apagou) (?:o próprio apelido|seu apelido|o apelido de)",
        r"alterou (?:a foto do grupo|o tema|o emoji|a reação rápida)",
        r"adicionou .+ ao grupo\.?$",
        r"removeu .+ do grupo\.?$",
        r"(?:saiu do|criou o) grupo",
        r"(?:iniciou|perdeu) uma (?:chamada de vídeo|chamada|ligação)",
        r"entrou na (?:chamada de vídeo|chamada)",
        r"ligou para você|acenou para você",
        rf"enviou {_MEDIA_PT}\.?$",
        r"fixou uma mensagem|cancelou o envio de uma mensagem",
        r"reagiu com .+ (?:à|a) (?:sua|uma) mensagem",
    ),
)

_MEDIA_IT = (
    r"(?:un allegato|una foto|un link|una GIF|un adesivo|un video"
    r"|un messaggio vocale)"
)
ITALIAN = Language(
    notices=(
        "Ora siete collegati su Messenger",
        "Ora potete scambiarvi messaggi e chiamarvi",
        "Ora siete amici su Facebook",
        "I messaggi e le chiamate sono protetti dalla crittografia end-to-end",
        "Questo messaggio è stato annullato",
    ),
    you=(),
    actions=(
        r"ha (?:chiamato il gruppo|cambiato il nome del gruppo"
        r"|rimosso il nome del gruppo)",
        r"ha (?:impostato|cancellato) (?:il proprio soprannome|il soprannome di)",
        r"ha cambiato (?:la foto del gruppo|il tema|l['’]emoji|la reazione rapida)",
        r"ha aggiunto .+ al gruppo\.?$",
        r"ha rimosso .+ dal gruppo\.?$",
        r"ha (?:abbandonato|creato) il gruppo",
        r"ha (?:avviato|perso) una (?:videochiamata|chiamata)",
        r"si è unit[oa] alla (?:videochiamata|chiamata)",
        r"ti ha (?:chiamato|salutato)",
        rf"ha inviato {_MEDIA_IT}\.?$",
        r"ha (?:fissato|annullato l['’]invio di) un messaggio",
        r"ha reagito con .+ al (?:tuo|suo|un) messaggio",
    ),
    own=(
        r"Hai (?:chiamato il gruppo|cambiato|impostato|cancellato|abbandonato"
        r"|creato il gruppo|avviato una|perso una|fissato un messaggio"
        r"|annullato l['’]invio|reagito con)",
        r"Hai aggiunto .+ al gruppo\.?$",
        r"Hai rimosso .+ dal gruppo\.?$",
        rf"Hai inviato {_MEDIA_IT}\.?$",
    ),
)

LANGUAGES = (ENGLISH, SPANISH, FRENCH, GERMAN, PORTUGUESE, ITALIAN)
