"""The index follower as a Silverback bot: every FairGift event of the connected chain's deployment,
kept current in the services' database ($FAIRGIFT_DB_URL, else .local/fairgift.sqlite3).

    silverback run --network ethereum:local:node --runner fairgift.index.follow:FollowRunner index

(`ape run fairgift serve` runs the same bot inside the web service.) Scale-out: point
$SILVERBACK_BROKER_CLASS at a taskiq broker (Redis, RabbitMQ), run this runner once and
`silverback worker --network … index` as many times as needed; see docs/services.md "Scaling out".
"""

from fairgift.index.follow import standalone_bot

bot = standalone_bot()
