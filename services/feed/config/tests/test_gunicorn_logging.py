"""gunicorn's access log is off (Django writes the access line): no record built per request."""

from gunicorn.config import Config

from shared import gunicorn_conf
from shared.gunicorn_logging import Logger


def test_gunicorn_runs_with_the_logger_that_writes_no_access_lines():
    assert gunicorn_conf.logger_class == "shared.gunicorn_logging.Logger"
    config = Config()
    config.set("logconfig_dict", gunicorn_conf.logconfig_dict)
    logger = Logger(config)
    assert logger.access_log_enabled is False
    assert logger.access(None, None, {}, None) is None
