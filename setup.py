"""How ``scrapyd-deploy`` packs this Scrapy project for Scrapyd (pip reads pyproject.toml alone).

``scrapyd-deploy`` runs ``python setup.py bdist_egg`` here (and writes its own setup.py when there is
none). Scrapyd runs each deployed egg in its own process with the egg on ``sys.path``, and finds the
settings module through the egg's ``scrapy`` entry point; so the egg holds the project under the names
a clone gives it (``scraper``, ``pipelines``, ``settings``) and names ``settings``. The wiredup core
and the dependencies come from the environment Scrapyd runs in (``pip install '.[deploy]'``).

It builds in its own folder: build/lib stays the wheel's, which holds the project under
``wiredup/project`` instead (pyproject.toml).
"""

from setuptools import setup
from setuptools.command.bdist_egg import bdist_egg


class ScrapydEgg(bdist_egg):
    """bdist_egg of the Scrapy project alone, as Scrapyd runs it."""

    def finalize_options(self):
        dist = self.distribution
        dist.packages = ["scraper", "scraper.spiders", "pipelines"]
        dist.py_modules = ["settings"]
        dist.package_dir, dist.package_data = {}, {}
        dist.entry_points = {"scrapy": ["settings = settings"]}
        dist.get_command_obj("build").build_base = "build/scrapyd-egg"
        super().finalize_options()


setup(cmdclass={"bdist_egg": ScrapydEgg})
