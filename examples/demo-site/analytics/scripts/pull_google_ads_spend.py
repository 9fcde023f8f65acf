"""Nightly backfill of Google Ads campaign spend into raw.google_ads.campaign_daily_utm.

Run from cron on the analytics box; credentials come from GOOGLE_ADS_* environment
variables (see google-ads.yaml.example in the ops repository).
"""

import os

from google.ads.googleads.client import GoogleAdsClient

QUERY = """
    SELECT segments.date, campaign.id, campaign.name, metrics.cost_micros, metrics.clicks
    FROM campaign
    WHERE segments.date DURING YESTERDAY
"""


def main() -> None:
    client = GoogleAdsClient.load_from_env(version="v19")
    service = client.get_service("GoogleAdsService")
    customer_id = os.environ["GOOGLE_ADS_CUSTOMER_ID"]
    for batch in service.search_stream(customer_id=customer_id, query=QUERY):
        for row in batch.results:
            print(row.segments.date, row.campaign.id, row.metrics.cost_micros / 1_000_000)


if __name__ == "__main__":
    main()
